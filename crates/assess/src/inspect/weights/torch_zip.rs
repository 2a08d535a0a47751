//! PyTorch zip checkpoints (`torch.save` since 1.6): a zip archive whose `*/data.pkl` is the
//! pickle to scan, next to `*/data/N` storage members.
//!
//! We read the central directory when the whole file was passed, and otherwise walk the local
//! headers from the start (`data.pkl` is written first). Members are read only within the
//! bytes present, and deflated members are inflated under [`PICKLE_MAX`].

use super::bytes::Reader;
use super::pickle;
use super::{WeightFacts, WeightFormat};
use crate::inspect::InspectError;

/// The most bytes a pickle member may inflate to.
const PICKLE_MAX: usize = super::WEIGHTS_HEADER_MAX;

/// The most members examined.
const MEMBERS_MAX: usize = 1 << 16;

/// Signatures of zip records.
const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;

/// A member's location and encoding.
struct Member {
    name: String,
    method: u16,
    compressed_size: u64,
    local_header_offset: u64,
}

/// Inspects a zip checkpoint: scans every `.pkl` member's opcodes and counts storages.
pub(super) fn inspect(prefix: &[u8], file_size: u64) -> WeightFacts {
    let mut facts = WeightFacts::new(WeightFormat::TorchZip);
    let members = match central_directory(prefix, file_size) {
        Some(Ok(members)) => members,
        Some(Err(error)) => {
            facts.error = Some(error.to_string());
            return facts;
        }
        None => local_headers(prefix),
    };
    let storages = members
        .iter()
        .filter(|member| member.name.contains("/data/"))
        .count();
    if storages > 0 {
        facts
            .metadata
            .insert("torch.storages".into(), storages.to_string());
    }
    let pickles: Vec<&Member> = members
        .iter()
        .filter(|member| member.name.ends_with(".pkl"))
        .collect();
    if pickles.is_empty() {
        facts.error = Some("no data.pkl found in the zip prefix".into());
    }
    for member in pickles {
        match member_bytes(prefix, member) {
            Ok(bytes) => pickle::record(&mut facts, &pickle::scan(&bytes)),
            Err(error) => facts.error = Some(format!("{}: {error}", member.name)),
        }
    }
    facts
}

/// The central directory's members, when the end record is within `prefix` (the caller
/// passed the whole file). `None` when it is not there.
fn central_directory(prefix: &[u8], file_size: u64) -> Option<Result<Vec<Member>, InspectError>> {
    if prefix.len() as u64 != file_size || prefix.len() < 22 {
        return None;
    }
    // The end record is 22 bytes plus a comment of up to 65535 bytes.
    let search_from = prefix.len().saturating_sub(22 + 65_535);
    let window = prefix.get(search_from..)?;
    let signature = END_OF_CENTRAL_DIRECTORY.to_le_bytes();
    let at = window.windows(4).rposition(|bytes| bytes == signature)? + search_from;
    Some(read_central(prefix, at))
}

/// Reads the central directory whose end record is at `end_at`. ZIP64 archives (which
/// `torch.save` writes for large files) carry 0xFFFFFFFF here; their directory offset is
/// then recovered from the ZIP64 end record.
fn read_central(prefix: &[u8], end_at: usize) -> Result<Vec<Member>, InspectError> {
    let mut end = Reader::new(prefix.get(end_at..).unwrap_or_default(), "zip end record");
    end.skip(10)?;
    let mut count = u64::from(end.u16()?);
    end.skip(4)?;
    let mut offset = u64::from(end.u32()?);
    if offset == u64::from(u32::MAX) || count == u64::from(u16::MAX) {
        (count, offset) = zip64_end(prefix, end_at)?;
    }
    let start = usize::try_from(offset).unwrap_or(usize::MAX);
    let mut reader = Reader::new(
        prefix.get(start..).unwrap_or_default(),
        "zip central directory",
    );
    let mut members = Vec::new();
    for _ in 0..count.min(MEMBERS_MAX as u64) {
        if reader.u32()? != CENTRAL_HEADER {
            return Err(InspectError::malformed(
                "zip central directory",
                "bad record signature",
            ));
        }
        reader.skip(6)?;
        let method = reader.u16()?;
        reader.skip(8)?;
        let mut compressed_size = u64::from(reader.u32()?);
        let _uncompressed = reader.u32()?;
        let name_len = reader.u16()?;
        let extra_len = reader.u16()?;
        let comment_len = reader.u16()?;
        reader.skip(8)?;
        let mut local_header_offset = u64::from(reader.u32()?);
        let name = String::from_utf8_lossy(reader.take(usize::from(name_len))?).into_owned();
        let extra = reader.take(usize::from(extra_len))?;
        reader.skip(u64::from(comment_len))?;
        apply_zip64_extra(extra, &mut compressed_size, &mut local_header_offset);
        members.push(Member {
            name,
            method,
            compressed_size,
            local_header_offset,
        });
    }
    Ok(members)
}

/// `(entries, directory offset)` from the ZIP64 end record that its locator (just before the
/// classic end record) points to.
fn zip64_end(prefix: &[u8], end_at: usize) -> Result<(u64, u64), InspectError> {
    let locator_at = end_at
        .checked_sub(20)
        .ok_or_else(|| InspectError::malformed("zip64", "no locator"))?;
    let mut locator = Reader::new(
        prefix.get(locator_at..).unwrap_or_default(),
        "zip64 locator",
    );
    if locator.u32()? != 0x0706_4b50 {
        return Err(InspectError::malformed(
            "zip64",
            "no locator before the end record",
        ));
    }
    locator.skip(4)?;
    let record_at = usize::try_from(locator.u64()?).unwrap_or(usize::MAX);
    let mut record = Reader::new(
        prefix.get(record_at..).unwrap_or_default(),
        "zip64 end record",
    );
    if record.u32()? != 0x0606_4b50 {
        return Err(InspectError::malformed("zip64", "bad end record signature"));
    }
    record.skip(28)?;
    let count = record.u64()?;
    record.skip(8)?;
    Ok((count, record.u64()?))
}

/// Replaces 0xFFFFFFFF sizes and offsets with the ZIP64 extra field's values (in the order the
/// format defines: uncompressed, compressed, offset; each present only when needed).
fn apply_zip64_extra(extra: &[u8], compressed: &mut u64, offset: &mut u64) {
    let mut reader = Reader::new(extra, "zip extra field");
    while let (Ok(id), Ok(size)) = (reader.u16(), reader.u16()) {
        let Ok(body) = reader.take(usize::from(size)) else {
            return;
        };
        if id != 0x0001 {
            continue;
        }
        let mut body = Reader::new(body, "zip64 extra field");
        // The uncompressed size comes first; we do not know whether it is present, so read the
        // values that are flagged by 0xFFFFFFFF in order, assuming uncompressed was flagged too
        // when the compressed size is (torch and most writers flag both together).
        if *compressed == u64::from(u32::MAX) {
            let _uncompressed = body.u64();
            if let Ok(value) = body.u64() {
                *compressed = value;
            }
        }
        if *offset == u64::from(u32::MAX)
            && let Ok(value) = body.u64()
        {
            *offset = value;
        }
        return;
    }
}

/// Members found by walking local headers from the start of `prefix`; stops at the first
/// record that is not a local header or whose data runs past the prefix.
fn local_headers(prefix: &[u8]) -> Vec<Member> {
    let mut members = Vec::new();
    let mut offset = 0usize;
    while members.len() < MEMBERS_MAX {
        let Ok(header) = local_header(prefix, offset) else {
            break;
        };
        let data_at = header.data_at;
        let member = header.member;
        let next = usize::try_from(member.compressed_size)
            .ok()
            .and_then(|size| data_at.checked_add(size));
        members.push(member);
        match next {
            Some(next) if next > offset && next <= prefix.len() => offset = next,
            _ => break,
        }
    }
    members
}

/// A parsed local header.
struct LocalHeader {
    member: Member,
    /// Where the member's data starts.
    data_at: usize,
}

/// Reads the local header at `offset`.
fn local_header(prefix: &[u8], offset: usize) -> Result<LocalHeader, InspectError> {
    let mut reader = Reader::new(prefix.get(offset..).unwrap_or_default(), "zip local header");
    if reader.u32()? != LOCAL_HEADER {
        return Err(InspectError::malformed("zip local header", "bad signature"));
    }
    reader.skip(4)?;
    let method = reader.u16()?;
    reader.skip(8)?;
    let mut compressed_size = u64::from(reader.u32()?);
    let _uncompressed = reader.u32()?;
    let name_len = reader.u16()?;
    let extra_len = reader.u16()?;
    let name = String::from_utf8_lossy(reader.take(usize::from(name_len))?).into_owned();
    let extra = reader.take(usize::from(extra_len))?;
    let mut unused_offset = 0;
    apply_zip64_extra(extra, &mut compressed_size, &mut unused_offset);
    Ok(LocalHeader {
        data_at: offset.saturating_add(reader.position()),
        member: Member {
            name,
            method,
            compressed_size,
            local_header_offset: offset as u64,
        },
    })
}

/// A member's bytes: stored ones as they are, deflated ones inflated under [`PICKLE_MAX`].
fn member_bytes(prefix: &[u8], member: &Member) -> Result<Vec<u8>, InspectError> {
    let offset = usize::try_from(member.local_header_offset).unwrap_or(usize::MAX);
    let header = local_header(prefix, offset)?;
    let size = usize::try_from(member.compressed_size).unwrap_or(usize::MAX);
    let mut reader = Reader::new(
        prefix.get(header.data_at..).unwrap_or_default(),
        "zip member data",
    );
    let data = reader.take(size)?;
    match member.method {
        0 => Ok(data.get(..PICKLE_MAX).unwrap_or(data).to_vec()),
        8 => {
            miniz_oxide::inflate::decompress_to_vec_with_limit(data, PICKLE_MAX).or_else(|error| {
                match error.status {
                    miniz_oxide::inflate::TINFLStatus::HasMoreOutput => Ok(error.output),
                    _ => Err(InspectError::malformed(
                        "deflated zip member",
                        format!("{:?}", error.status),
                    )),
                }
            })
        }
        other => Err(InspectError::malformed(
            "zip member",
            format!("unsupported compression method {other}"),
        )),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A stored (uncompressed) zip archive with a central directory.
    pub(crate) fn stored_zip(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in members {
            let offset = out.len() as u32;
            let mut header = Vec::new();
            header.extend_from_slice(&LOCAL_HEADER.to_le_bytes());
            header.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            header.extend_from_slice(&(data.len() as u32).to_le_bytes());
            header.extend_from_slice(&(data.len() as u32).to_le_bytes());
            header.extend_from_slice(&(name.len() as u16).to_le_bytes());
            header.extend_from_slice(&0u16.to_le_bytes());
            header.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&header);
            out.extend_from_slice(data);
            central.extend_from_slice(&CENTRAL_HEADER.to_le_bytes());
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let central_at = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&END_OF_CENTRAL_DIRECTORY.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&(members.len() as u16).to_le_bytes());
        out.extend_from_slice(&(members.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&central_at.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    /// A protocol-2 pickle that imports `module.name` with GLOBAL.
    fn global_pickle(module: &str, name: &str) -> Vec<u8> {
        let mut bytes = vec![0x80, 2, b'c'];
        bytes.extend_from_slice(format!("{module}\n{name}\n").as_bytes());
        bytes.extend_from_slice(b")R.");
        bytes
    }

    #[test]
    fn scans_data_pkl_via_central_directory_and_local_headers() {
        let pkl = global_pickle("os", "system");
        let zip = stored_zip(&[("archive/data.pkl", &pkl), ("archive/data/0", b"\0\0\0\0")]);
        let whole = inspect(&zip, zip.len() as u64);
        assert_eq!(whole.dangerous_imports, vec!["os.system"]);
        assert_eq!(
            whole.metadata.get("torch.storages").map(String::as_str),
            Some("1")
        );
        let prefix_only = inspect(&zip, zip.len() as u64 + 1_000_000);
        assert_eq!(prefix_only.dangerous_imports, vec!["os.system"]);
    }

    #[test]
    fn inflates_deflated_members() {
        let pkl = global_pickle("torch._utils", "_rebuild_tensor_v2");
        let deflated = miniz_oxide::deflate::compress_to_vec(&pkl, 6);
        let mut zip = stored_zip(&[("m/data.pkl", &deflated)]);
        // Mark the member as deflated in both headers (method field at offsets 8 and 10).
        zip[8] = 8;
        let central_at = zip.len() - 22 - 46 - "m/data.pkl".len();
        zip[central_at + 10] = 8;
        let facts = inspect(&zip, zip.len() as u64);
        assert_eq!(facts.error, None);
        assert!(
            facts.unsafe_imports.is_empty(),
            "{:?}",
            facts.unsafe_imports
        );
    }
}
