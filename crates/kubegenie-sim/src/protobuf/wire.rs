//! The protobuf wire format, just enough of it for Kubernetes objects: field keys, varints,
//! 64-bit and 32-bit fixed values and length-delimited values. Every read is bounds-checked and
//! returns an error instead of panicking, because request bodies are untrusted input.

use std::fmt;

/// A decoding failure, with the path of the field it happened in (innermost last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WireError {
    path: Vec<String>,
    message: String,
}

impl WireError {
    /// An error without a field path yet.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            path: Vec::new(),
            message: message.into(),
        }
    }

    /// Adds the enclosing field's name; called while the error travels outwards.
    pub fn within(mut self, segment: impl Into<String>) -> Self {
        self.path.push(segment.into());
        self
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            return f.write_str(&self.message);
        }
        let mut path = String::new();
        for seg in self.path.iter().rev() {
            if !path.is_empty() && !seg.starts_with('[') {
                path.push('.');
            }
            path.push_str(seg);
        }
        write!(f, "{path}: {}", self.message)
    }
}

/// Result alias for wire decoding.
pub(crate) type WireResult<T> = Result<T, WireError>;

/// One field as it appears on the wire: its number and its undecoded value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WireValue<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64(u64),
    /// Wire type 2: the payload bytes.
    Len(&'a [u8]),
    /// Wire type 5.
    Fixed32(u32),
}

impl WireValue<'_> {
    /// The wire type's name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            WireValue::Varint(_) => "varint",
            WireValue::Fixed64(_) => "64-bit",
            WireValue::Len(_) => "length-delimited",
            WireValue::Fixed32(_) => "32-bit",
        }
    }
}

/// A cursor over one message's bytes.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Reads a base-128 varint of at most 10 bytes.
    pub fn varint(&mut self) -> WireResult<u64> {
        let mut value: u64 = 0;
        for i in 0..10 {
            let Some(&byte) = self.buf.get(self.pos) else {
                return Err(WireError::new("truncated varint"));
            };
            self.pos += 1;
            // The tenth byte may only carry the single remaining bit of a u64.
            if i == 9 && byte > 1 {
                return Err(WireError::new("varint overflows 64 bits"));
            }
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(WireError::new("varint longer than 10 bytes"))
    }

    fn take(&mut self, n: usize) -> WireResult<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.buf.len())
            .ok_or_else(|| {
                WireError::new(format!(
                    "length {n} exceeds the {} bytes left in the message",
                    self.buf.len() - self.pos
                ))
            })?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// Reads the next field, or `None` at the end of the message.
    pub fn next_field(&mut self) -> WireResult<Option<(u32, WireValue<'a>)>> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let tag = u32::try_from(key >> 3)
            .ok()
            .filter(|&t| (1..=0x1fff_ffff).contains(&t))
            .ok_or_else(|| WireError::new(format!("invalid field number {}", key >> 3)))?;
        let value = match key & 7 {
            0 => WireValue::Varint(self.varint()?),
            1 => {
                let b = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                WireValue::Fixed64(u64::from_le_bytes(a))
            }
            2 => {
                let len = self.varint()?;
                let len =
                    usize::try_from(len).map_err(|_| WireError::new(format!("length {len} too large")))?;
                WireValue::Len(self.take(len)?)
            }
            5 => {
                let b = self.take(4)?;
                let mut a = [0u8; 4];
                a.copy_from_slice(b);
                WireValue::Fixed32(u32::from_le_bytes(a))
            }
            // Groups (3, 4) are proto1 relics that Kubernetes never emits; 6 and 7 do not exist.
            wt => {
                return Err(WireError::new(format!(
                    "unsupported wire type {wt} for field {tag}"
                )));
            }
        };
        Ok(Some((tag, value)))
    }
}

/// Splits a packed repeated varint payload into its values.
pub(crate) fn packed_varints(buf: &[u8]) -> WireResult<Vec<u64>> {
    let mut r = Reader::new(buf);
    let mut out = Vec::new();
    while r.pos < buf.len() {
        out.push(r.varint()?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_varints_of_all_lengths() {
        let mut r = Reader::new(&[
            0x00, 0x96, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ]);
        assert_eq!(r.varint(), Ok(0));
        assert_eq!(r.varint(), Ok(150));
        assert_eq!(r.varint(), Ok(u64::MAX));
    }

    #[test]
    fn rejects_truncated_and_overlong_varints() {
        assert!(Reader::new(&[0x96]).varint().is_err());
        assert!(Reader::new(&[0xff; 11]).varint().is_err());
        // Ten bytes whose last one carries more than the one bit left.
        let mut b = [0xffu8; 10];
        b[9] = 0x02;
        assert!(Reader::new(&b).varint().is_err());
    }

    #[test]
    fn reads_each_wire_type() {
        let buf = [
            0x08, 0x05, // 1: varint 5
            0x11, 1, 0, 0, 0, 0, 0, 0, 0, // 2: fixed64 1
            0x1a, 0x02, b'h', b'i', // 3: "hi"
            0x25, 2, 0, 0, 0, // 4: fixed32 2
        ];
        let mut r = Reader::new(&buf);
        assert_eq!(r.next_field(), Ok(Some((1, WireValue::Varint(5)))));
        assert_eq!(r.next_field(), Ok(Some((2, WireValue::Fixed64(1)))));
        assert_eq!(r.next_field(), Ok(Some((3, WireValue::Len(b"hi")))));
        assert_eq!(r.next_field(), Ok(Some((4, WireValue::Fixed32(2)))));
        assert_eq!(r.next_field(), Ok(None));
    }

    #[test]
    fn rejects_bad_keys_lengths_and_groups() {
        // Field number 0.
        assert!(Reader::new(&[0x00, 0x01]).next_field().is_err());
        // Start-group wire type.
        assert!(Reader::new(&[0x0b]).next_field().is_err());
        // Wire types 6 and 7 do not exist.
        assert!(Reader::new(&[0x0e]).next_field().is_err());
        assert!(Reader::new(&[0x0f]).next_field().is_err());
        // Length beyond the buffer, and a length near u64::MAX.
        assert!(Reader::new(&[0x0a, 0x05, b'a']).next_field().is_err());
        let huge = [0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert!(Reader::new(&huge).next_field().is_err());
        // Truncated fixed values.
        assert!(Reader::new(&[0x09, 1, 2, 3]).next_field().is_err());
        assert!(Reader::new(&[0x0d, 1]).next_field().is_err());
        // A field number above 2^29 - 1.
        assert!(
            Reader::new(&[0xf8, 0xff, 0xff, 0xff, 0x7f, 0x00])
                .next_field()
                .is_err()
        );
    }

    #[test]
    fn error_paths_read_outside_in() {
        let e = WireError::new("truncated varint")
            .within("[0]")
            .within("containers")
            .within("spec");
        assert_eq!(e.to_string(), "spec.containers[0]: truncated varint");
    }

    #[test]
    fn splits_packed_varints() {
        assert_eq!(packed_varints(&[0x01, 0x96, 0x01]), Ok(vec![1, 150]));
        assert!(packed_varints(&[0x96]).is_err());
    }
}
