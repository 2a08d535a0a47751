//! A cursor over untrusted bytes whose every read is checked against what is present.

use crate::inspect::InspectError;

/// Reads little-endian values from a byte slice, failing (never panicking) at its end.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
    /// Names the structure in errors, e.g. "GGUF header".
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Self {
            bytes,
            position: 0,
            what,
        }
    }

    /// Bytes read so far.
    pub(super) fn position(&self) -> usize {
        self.position
    }

    /// Bytes left.
    pub(super) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.position)
    }

    /// The next `count` bytes.
    pub(super) fn take(&mut self, count: usize) -> Result<&'a [u8], InspectError> {
        let end = self
            .position
            .checked_add(count)
            .filter(|end| *end <= self.bytes.len());
        match end.and_then(|end| self.bytes.get(self.position..end).map(|slice| (end, slice))) {
            Some((end, slice)) => {
                self.position = end;
                Ok(slice)
            }
            None => Err(InspectError::Truncated {
                what: self.what,
                offset: self.position as u64,
                needed: count as u64,
                available: self.remaining() as u64,
            }),
        }
    }

    /// Skips `count` bytes given as a `u64` from the input.
    pub(super) fn skip(&mut self, count: u64) -> Result<(), InspectError> {
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        self.take(count).map(|_| ())
    }

    /// The next `N` bytes as an array.
    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N], InspectError> {
        let slice = self.take(N)?;
        let mut array = [0; N];
        array.copy_from_slice(slice);
        Ok(array)
    }

    pub(super) fn u8(&mut self) -> Result<u8, InspectError> {
        self.array().map(u8::from_le_bytes)
    }

    pub(super) fn u16(&mut self) -> Result<u16, InspectError> {
        self.array().map(u16::from_le_bytes)
    }

    pub(super) fn u32(&mut self) -> Result<u32, InspectError> {
        self.array().map(u32::from_le_bytes)
    }

    pub(super) fn u64(&mut self) -> Result<u64, InspectError> {
        self.array().map(u64::from_le_bytes)
    }

    /// A length-prefixed (u64) UTF-8 string, lossily decoded; the length is checked against
    /// the remaining bytes before anything is allocated.
    pub(super) fn string_u64(&mut self) -> Result<String, InspectError> {
        let length = self.u64()?;
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        let bytes = self.take(length)?;
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_refuses_past_the_end() {
        let mut reader = Reader::new(&[1, 0, 2, 0, 0, 0], "test");
        assert_eq!(reader.u16(), Ok(1));
        assert_eq!(reader.u32(), Ok(2));
        assert!(matches!(reader.u8(), Err(InspectError::Truncated { .. })));
        let mut reader = Reader::new(&[255, 255, 255, 255, 255, 255, 255, 255, b'a'], "test");
        assert!(reader.string_u64().is_err());
        let mut reader = Reader::new(&[0; 4], "test");
        assert!(reader.skip(u64::MAX).is_err());
    }
}
