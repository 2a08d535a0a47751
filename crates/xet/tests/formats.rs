//! Xorb and shard validation and reconstruction planning, on fixtures built with the protocol
//! authors' own serializers.

use commonhold_xet::fixtures::{CompressionScheme, FileFixture, file_fixture};
use commonhold_xet::{
    FileRecord, XetError, XetHash, XorbIndex, XorbIndexes, decode_chunks, parse_shard, plan,
    validate_xorb, verify_file,
};
use sha2::Digest;

fn data(n: usize) -> Vec<u8> {
    // Compressible but not trivial: a repeating pattern with a counter mixed in.
    (0..n)
        .map(|i| ((i / 7) as u8).wrapping_mul(31) ^ (i % 13) as u8)
        .collect()
}

fn fixture(content: &[u8], scheme: CompressionScheme) -> FileFixture {
    let sha = hex::encode(sha2::Sha256::digest(content));
    file_fixture(content, 1000, 4, scheme, &sha).unwrap()
}

fn indexes(f: &FileFixture) -> XorbIndexes {
    f.xorbs
        .iter()
        .map(|(h, b)| (*h, validate_xorb(*h, b).unwrap()))
        .collect()
}

#[test]
fn every_compression_scheme_validates_and_decodes() {
    let content = data(9_500);
    for scheme in [
        CompressionScheme::None,
        CompressionScheme::LZ4,
        CompressionScheme::ByteGrouping4LZ4,
    ] {
        let f = fixture(&content, scheme);
        assert_eq!(f.xorbs.len(), 3, "{scheme:?}");
        let mut rebuilt = Vec::new();
        for (hash, body) in &f.xorbs {
            let index = validate_xorb(*hash, body).unwrap();
            assert_eq!(XorbIndex::decode(&index.encode()).unwrap(), index);
            decode_chunks(&index, body, 0, index.chunks.len() as u32, &mut rebuilt).unwrap();
        }
        assert_eq!(rebuilt, content, "{scheme:?}");
    }
}

#[test]
fn tampered_or_misnamed_xorbs_are_refused() {
    let f = fixture(&data(3000), CompressionScheme::None);
    let (hash, body) = &f.xorbs[0];
    let mut tampered = body.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(matches!(
        validate_xorb(*hash, &tampered),
        Err(XetError::XorbHashMismatch { .. })
    ));
    assert!(matches!(
        validate_xorb(XetHash::default(), body),
        Err(XetError::XorbHashMismatch { .. })
    ));
    assert!(validate_xorb(*hash, &body[..body.len() - 3]).is_err());
    assert!(validate_xorb(*hash, &[]).is_err());
    // A header that claims more than 128 KiB unpacked is refused before any decompression.
    let huge = [0u8, 4, 0, 0, 0, 0xff, 0xff, 0xff, 1, 2, 3, 4];
    assert!(matches!(
        validate_xorb(*hash, &huge),
        Err(XetError::MalformedXorb(_))
    ));
}

#[test]
fn shards_verify_against_stored_xorbs() {
    let content = data(9_500);
    let f = fixture(&content, CompressionScheme::LZ4);
    let shard = parse_shard(&f.shard).unwrap();
    assert_eq!(shard.files.len(), 1);
    assert_eq!(shard.xorbs.len(), 3);
    let file = &shard.files[0];
    assert_eq!(file.file_hash, f.file_hash);
    assert_eq!(
        file.sha256_hex.as_deref(),
        Some(hex::encode(sha2::Sha256::digest(&content)).as_str())
    );
    let idx = indexes(&f);
    let record = verify_file(file, &idx).unwrap();
    assert_eq!(record.size, content.len() as u64);
    assert_eq!(
        FileRecord::decode(record.size, &record.encode_terms()).unwrap(),
        record
    );

    // A missing xorb, a range out of bounds, a wrong size and a wrong file hash are all refused.
    assert!(matches!(
        verify_file(file, &without_first(&f, &idx)),
        Err(XetError::MissingXorb(_))
    ));
    let mut bad = file.clone();
    bad.terms[0].chunk_end = 9;
    assert!(matches!(
        verify_file(&bad, &idx),
        Err(XetError::InvalidFile { .. })
    ));
    let mut bad = file.clone();
    bad.terms[0].unpacked_len += 1;
    assert!(verify_file(&bad, &idx).is_err());
    let mut bad = file.clone();
    bad.file_hash = XetHash::default();
    assert!(verify_file(&bad, &idx).is_err());
    let mut bad = file.clone();
    bad.terms.swap(0, 1);
    assert!(verify_file(&bad, &idx).is_err());
}

#[test]
fn garbage_shards_are_refused_without_panicking() {
    let f = fixture(&data(3000), CompressionScheme::None);
    assert!(parse_shard(&[]).is_err());
    assert!(parse_shard(&f.shard[..40]).is_err());
    for cut in [48, 100, 150, 200] {
        assert!(parse_shard(&f.shard[..cut]).is_err(), "cut at {cut}");
    }
    // A file header announcing four billion entries must not allocate them.
    let mut lying = f.shard[..48].to_vec();
    lying.extend_from_slice(&[7u8; 32]);
    lying.extend_from_slice(&0u32.to_le_bytes());
    lying.extend_from_slice(&u32::MAX.to_le_bytes());
    lying.extend_from_slice(&[0u8; 8]);
    assert!(parse_shard(&lying).is_err());
}

#[test]
fn plans_follow_the_range_algorithm() {
    let content = data(9_500);
    let f = fixture(&content, CompressionScheme::None);
    let shard = parse_shard(&f.shard).unwrap();
    let idx = indexes(&f);
    let record = verify_file(&shard.files[0], &idx).unwrap();
    let url = |h: &XetHash, r: commonhold_xet::ByteRange| format!("u/{h}/{}-{}", r.start, r.end);

    let whole = plan(&record, 0, u64::MAX, &idx, url).unwrap();
    assert_eq!(whole.offset_into_first_range, 0);
    assert_eq!(whole.terms.len(), 3);
    assert_eq!(
        whole.terms.iter().map(|t| t.unpacked_length).sum::<u64>(),
        9_500
    );
    assert_eq!(whole.fetch_info.len(), 3);

    // Bytes 4500..=5600 lie in the second xorb (chunks 4000..8000): chunks 0 and 1 of it.
    let part = plan(&record, 4500, 5600, &idx, url).unwrap();
    assert_eq!(part.offset_into_first_range, 500);
    assert_eq!(part.terms.len(), 1);
    assert_eq!((part.terms[0].range.start, part.terms[0].range.end), (0, 2));
    assert_eq!(part.terms[0].unpacked_length, 2000);
    let fetch = &part.fetch_info[&part.terms[0].hash.to_string()][0];
    assert_eq!(fetch.url_range.start, 0);
    // Two chunks with 8-byte headers, uncompressed: 2016 bytes, end inclusive.
    assert_eq!(fetch.url_range.end, 2015);

    // Rebuild an arbitrary range from the plan and compare.
    for (a, b) in [(0u64, 0u64), (999, 1000), (3999, 8001), (9_000, 20_000)] {
        let p = plan(&record, a, b, &idx, url).unwrap();
        let mut out = Vec::new();
        for t in &p.terms {
            let (_, body) = f.xorbs.iter().find(|(h, _)| *h == t.hash).unwrap();
            let index = idx.get(&t.hash).unwrap();
            let from = index.start_offset(t.range.start as usize).unwrap() as usize;
            decode_chunks(index, &body[from..], t.range.start, t.range.end, &mut out).unwrap();
        }
        let got = &out[p.offset_into_first_range as usize..];
        let end = (b + 1).min(9_500);
        assert_eq!(
            &got[..(end - a) as usize],
            &content[a as usize..end as usize],
            "{a}-{b}"
        );
    }
    assert!(matches!(
        plan(&record, 9_500, 9_600, &idx, url),
        Err(XetError::RangeNotSatisfiable { .. })
    ));
}

fn without_first(f: &FileFixture, idx: &XorbIndexes) -> XorbIndexes {
    let mut out = idx.clone();
    out.remove(&f.xorbs[0].0);
    out
}

/// A xorb of one chunk whose header declares 128 KiB but whose LZ4 frame inflates to
/// `inflated` zero bytes (a decompression bomb: its compressed form is tiny).
fn bomb_xorb(scheme: CompressionScheme, inflated: usize) -> Vec<u8> {
    use std::io::Write;
    use xet_core_structures::xorb_object::{XorbChunkHeader, write_chunk_header};
    let mut frame = lz4_flex::frame::FrameEncoder::new(Vec::new());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..inflated / zeros.len() {
        frame.write_all(&zeros).unwrap();
    }
    let frame = frame.finish().unwrap();
    let mut xorb = Vec::new();
    let header = XorbChunkHeader::new(scheme, frame.len() as u32, 128 * 1024);
    write_chunk_header(&mut xorb, &header).unwrap();
    xorb.extend_from_slice(&frame);
    xorb
}

/// This process's peak resident set so far, in bytes (`VmHWM`, Linux).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap();
    kb * 1024
}

#[test]
fn a_decompression_bomb_is_refused_before_it_inflates() {
    const INFLATED: usize = 48 << 20;
    for scheme in [CompressionScheme::ByteGrouping4LZ4, CompressionScheme::LZ4] {
        let bomb = bomb_xorb(scheme, INFLATED);
        assert!(bomb.len() < 256 * 1024, "{} bytes", bomb.len());
        let before = peak_rss();
        let refused = validate_xorb(XetHash([0; 32]), &bomb);
        assert!(
            matches!(&refused, Err(XetError::MalformedXorb(m)) if m.contains("more than its declared")),
            "{scheme:?}: {refused:?}"
        );
        // Other tests of this binary run meanwhile, but hold kilobytes, not megabytes.
        let grown = peak_rss().saturating_sub(before);
        assert!(
            grown < 16 << 20,
            "{scheme:?}: refusing the bomb raised the peak resident set by {grown} bytes"
        );
    }
}
