//! Byte sources under the record reader: plain files and (multi-member) gzip.
//!
//! A [`Source`] is a [`BufRead`] over the *decompressed* archive bytes that also
//! knows where in the file the current gzip member began, so that every record and
//! every error can name a file offset that tools such as `cdx` indexes agree with.
//!
//! Hand-written on purpose: `flate2::read::MultiGzDecoder` hides member boundaries
//! (we need them for offsets) and gives up on the first corrupt member; here a bad
//! member is reported and decoding resumes at the next gzip header, so one broken
//! record never costs the rest of the file.

use std::io::{self, BufRead, Read};

use flate2::bufread::GzDecoder;

use crate::inflate::{Inflater, MemberError};

/// The two bytes every gzip member starts with, plus the deflate method byte.
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Size of the decompressed-output buffer of a gzip source.
const OUT_BUF: usize = 256 * 1024;

/// Buffered reader over the raw file that counts consumed bytes and can peek a
/// few bytes across its buffer boundary (to recognise a gzip header).
pub struct Counting<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    pos: u64,
}

/// Raw read buffer size.
const RAW_BUF: usize = 128 * 1024;

impl<R: Read> Counting<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            buf: vec![0; RAW_BUF],
            start: 0,
            end: 0,
            pos: 0,
        }
    }

    /// Returns at least `n` buffered bytes unless the file ends first (the
    /// buffer grows to `n` if it is smaller).
    fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.end - self.start < n {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if self.buf.len() < n {
                self.buf.resize(n, 0);
            }
            while self.end < n {
                let got = self.inner.read(&mut self.buf[self.end..])?;
                if got == 0 {
                    break;
                }
                self.end += got;
            }
        }
        Ok(&self.buf[self.start..self.end])
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.start == self.end {
            self.start = 0;
            self.end = self.inner.read(&mut self.buf)?;
        }
        Ok(&self.buf[self.start..self.end])
    }
    fn consume(&mut self, amt: usize) {
        let amt = amt.min(self.end - self.start);
        self.pos += amt as u64;
        self.start += amt;
    }
}

enum GzState<R> {
    /// Decoding one member.
    Member(Box<GzDecoder<Counting<R>>>),
    /// Between members (or after an error), holding the raw reader.
    Between(Counting<R>),
    /// Temporarily moved out.
    Empty,
}

/// Decompressed bytes of an archive, plain or gzip (one member per record, or one
/// for the whole file, or anything in between).
pub struct Source<R> {
    kind: SourceKind<R>,
    /// Decompressed bytes consumed so far (over all members).
    out_pos: u64,
}

enum SourceKind<R> {
    Plain(Counting<R>),
    Gzip {
        state: GzState<R>,
        buf: Vec<u8>,
        start: usize,
        end: usize,
        /// File offset where the member that produced `buf` begins.
        member_start: u64,
        /// Set after a decoding error until [`Source::recover`] runs.
        failed: bool,
        /// Decodes whole members in one call (`None` if libdeflate could not
        /// allocate: every member is then streamed).
        inflater: Option<Inflater>,
    },
}

impl<R: Read> Source<R> {
    /// Wraps a reader, detecting gzip from its first bytes.
    pub fn new(inner: R) -> io::Result<Self> {
        let mut raw = Counting::new(inner);
        let head = raw.peek(2)?;
        let kind = if head.starts_with(&GZIP_MAGIC[..2]) {
            raw.buf.resize(GZIP_RAW_BUF, 0);
            SourceKind::Gzip {
                state: GzState::Between(raw),
                buf: vec![0; OUT_BUF],
                start: 0,
                end: 0,
                member_start: 0,
                failed: false,
                inflater: Inflater::new(),
            }
        } else {
            SourceKind::Plain(raw)
        };
        Ok(Self { kind, out_pos: 0 })
    }

    /// Whether the file is gzip-compressed.
    pub fn is_gzip(&self) -> bool {
        matches!(self.kind, SourceKind::Gzip { .. })
    }

    /// File offset of the next unread byte: for gzip, the start of the member it
    /// came from (call after `fill_buf` so the member is known).
    pub fn file_offset(&self) -> u64 {
        match &self.kind {
            SourceKind::Plain(r) => r.pos,
            SourceKind::Gzip { member_start, .. } => *member_start,
        }
    }

    /// Offset of the next unread byte in the decompressed stream.
    pub fn uncompressed_offset(&self) -> u64 {
        self.out_pos
    }

    /// Compressed bytes consumed so far (the file size at the end).
    pub fn raw_consumed(&self) -> u64 {
        match &self.kind {
            SourceKind::Plain(r) => r.pos,
            SourceKind::Gzip { state, .. } => match state {
                GzState::Member(d) => d.get_ref().pos,
                GzState::Between(r) => r.pos,
                GzState::Empty => 0,
            },
        }
    }

    /// After an error: for gzip, drops the rest of the broken member and moves to
    /// the next gzip header in the file. Returns whether there is such a header (the
    /// next record then starts right away); `false` at the end of the file and for
    /// plain sources.
    pub fn recover(&mut self) -> io::Result<bool> {
        let SourceKind::Gzip {
            state,
            start,
            end,
            failed,
            member_start,
            ..
        } = &mut self.kind
        else {
            return Ok(false);
        };
        *start = 0;
        *end = 0;
        *failed = false;
        let mut raw = match std::mem::replace(state, GzState::Empty) {
            GzState::Member(d) => d.into_inner(),
            GzState::Between(r) => r,
            GzState::Empty => return Ok(false),
        };
        if raw.pos == *member_start {
            // Never retry the same broken header.
            raw.consume(1);
        }
        let res = skip_to_magic(&mut raw).and_then(|()| raw.peek(1).map(|b| !b.is_empty()));
        *state = GzState::Between(raw);
        // `false` at the end of the file: nothing left to recover to.
        res
    }
}

/// Compressed bytes a gzip source keeps buffered: four times [`WHOLE_MEMBER_INPUT`],
/// so that keeping that much ahead of every member moves few bytes.
const GZIP_RAW_BUF: usize = 4 * WHOLE_MEMBER_INPUT;

/// Compressed bytes first offered to [`whole_member`]; more only if the member
/// is longer.
const WHOLE_MEMBER_INPUT: usize = 1024 * 1024;

/// Largest compressed member [`whole_member`] takes on.
const WHOLE_MEMBER_MAX_INPUT: usize = 16 * 1024 * 1024;

/// Largest decompressed member [`whole_member`] takes on: longer ones (whole-file
/// gzip, huge records) are streamed in [`OUT_BUF`] pieces instead.
const WHOLE_MEMBER_MAX_OUTPUT: usize = 64 * 1024 * 1024;

/// Decodes the gzip member at the head of `raw` into `out` in one call, growing
/// `out` (and the compressed bytes looked at) as needed within the bounds above.
/// Returns the decompressed length with `raw` moved past the member, or `None`
/// with `raw` untouched when the member is corrupt, cut short or beyond the
/// bounds: the caller then streams it, and reports its errors, as before.
fn whole_member<R: Read>(
    raw: &mut Counting<R>,
    out: &mut Vec<u8>,
    inflater: &mut Inflater,
) -> io::Result<Option<usize>> {
    let mut want = WHOLE_MEMBER_INPUT;
    loop {
        let input = raw.peek(want)?;
        let whole_file_seen = input.len() < want;
        match inflater.gzip_member(input, out) {
            Ok((used, n)) => {
                raw.consume(used);
                return Ok(Some(n));
            }
            // A member cut off by the end of `input` can fail either way (libdeflate
            // reads zeros past the end), so a full output may also mean "read more".
            Err(e) => {
                let mut grew = false;
                if e == MemberError::OutputFull && out.len() < WHOLE_MEMBER_MAX_OUTPUT {
                    let len = (out.len() * 4).min(WHOLE_MEMBER_MAX_OUTPUT);
                    out.resize(len, 0);
                    grew = true;
                }
                if !grew && !whole_file_seen && want < WHOLE_MEMBER_MAX_INPUT {
                    want = (want * 4).min(WHOLE_MEMBER_MAX_INPUT);
                    grew = true;
                }
                if !grew {
                    return Ok(None);
                }
            }
        }
    }
}

/// Moves `raw` forward to the next `1f 8b 08` (or to the end of the file).
fn skip_to_magic<R: Read>(raw: &mut Counting<R>) -> io::Result<()> {
    loop {
        let buf = raw.peek(GZIP_MAGIC.len())?;
        if buf.len() < GZIP_MAGIC.len() {
            let n = buf.len();
            raw.consume(n);
            return Ok(());
        }
        if buf.starts_with(&GZIP_MAGIC) {
            return Ok(());
        }
        // Skip to the next candidate first byte (or to the end of the buffer).
        let skip = memchr::memchr(GZIP_MAGIC[0], &buf[1..]).map_or(buf.len(), |p| p + 1);
        raw.consume(skip);
    }
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Source<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match &mut self.kind {
            SourceKind::Plain(r) => r.fill_buf(),
            SourceKind::Gzip {
                state,
                buf,
                start,
                end,
                member_start,
                failed,
                inflater,
            } => {
                if *start < *end {
                    return Ok(&buf[*start..*end]);
                }
                if *failed {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "gzip member is corrupt",
                    ));
                }
                loop {
                    match std::mem::replace(state, GzState::Empty) {
                        GzState::Member(mut d) => match d.read(buf) {
                            Ok(0) => *state = GzState::Between(d.into_inner()),
                            Ok(n) => {
                                *state = GzState::Member(d);
                                *start = 0;
                                *end = n;
                                return Ok(&buf[..n]);
                            }
                            Err(e) => {
                                *state = GzState::Member(d);
                                *failed = true;
                                return Err(e);
                            }
                        },
                        GzState::Between(mut raw) => {
                            let head = raw.peek(2)?;
                            if head.is_empty() {
                                *state = GzState::Between(raw);
                                return Ok(&[]);
                            }
                            if head.len() >= 2 && head[..2] == GZIP_MAGIC[..2] {
                                *member_start = raw.pos;
                                let whole = match inflater {
                                    Some(inflater) => whole_member(&mut raw, buf, inflater),
                                    None => Ok(None),
                                };
                                match whole {
                                    Ok(Some(n)) => {
                                        *state = GzState::Between(raw);
                                        if n == 0 {
                                            continue;
                                        }
                                        *start = 0;
                                        *end = n;
                                        return Ok(&buf[..n]);
                                    }
                                    Ok(None) => {
                                        *state = GzState::Member(Box::new(GzDecoder::new(raw)));
                                    }
                                    Err(e) => {
                                        *state = GzState::Between(raw);
                                        return Err(e);
                                    }
                                }
                            } else {
                                *member_start = raw.pos;
                                *state = GzState::Between(raw);
                                *failed = true;
                                return Err(io::Error::new(
                                    io::ErrorKind::InvalidData,
                                    "bytes between gzip members are not gzip",
                                ));
                            }
                        }
                        GzState::Empty => return Ok(&[]),
                    }
                }
            }
        }
    }

    fn consume(&mut self, amt: usize) {
        self.out_pos += amt as u64;
        match &mut self.kind {
            SourceKind::Plain(r) => r.consume(amt),
            SourceKind::Gzip { start, end, .. } => *start = (*start + amt).min(*end),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    /// `data` as one gzip member (also used by `inflate`'s tests).
    pub(crate) fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).expect("write to vec");
        e.finish().expect("finish vec")
    }

    #[test]
    fn members_report_their_offsets() {
        let a = gz(b"first");
        let b = gz(b"second");
        let mut file = a.clone();
        file.extend_from_slice(&b);
        let mut s = Source::new(&file[..]).expect("source");
        assert!(s.is_gzip());
        assert_eq!(s.fill_buf().expect("fill"), b"first");
        assert_eq!(s.file_offset(), 0);
        s.consume(5);
        assert_eq!(s.fill_buf().expect("fill"), b"second");
        assert_eq!(s.file_offset(), a.len() as u64);
        assert_eq!(s.uncompressed_offset(), 5);
    }

    /// Everything `s` gives, and how many errors it reported on the way.
    fn drain<R: Read>(s: &mut Source<R>) -> (Vec<u8>, usize) {
        let mut got = Vec::new();
        let mut errors = 0;
        loop {
            match s.fill_buf() {
                Ok([]) => break,
                Ok(b) => {
                    got.extend_from_slice(b);
                    let n = b.len();
                    s.consume(n);
                }
                Err(_) => {
                    errors += 1;
                    if !s.recover().expect("recover") {
                        break;
                    }
                }
            }
        }
        (got, errors)
    }

    #[test]
    fn long_members_and_a_cut_last_member_read_as_when_streamed() {
        // Incompressible, so the member is longer than the first input window.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let noise: Vec<u8> = (0..3 * WHOLE_MEMBER_INPUT)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let small = gz(b"small");
        let long = gz(&noise);
        assert!(long.len() > WHOLE_MEMBER_INPUT);
        let last = gz(b"the last member, cut short");
        let mut file = small.clone();
        file.extend_from_slice(&long);
        file.extend_from_slice(&small);
        file.extend_from_slice(&last[..last.len() - 5]);
        let mut s = Source::new(&file[..]).expect("source");
        let (got, errors) = drain(&mut s);
        let mut want = b"small".to_vec();
        want.extend_from_slice(&noise);
        want.extend_from_slice(b"small");
        assert_eq!(errors, 1, "the cut member is one error");
        assert!(got.starts_with(&want));
        assert!(b"the last member, cut short".starts_with(&got[want.len()..]));
    }

    #[test]
    fn corrupt_member_is_skipped() {
        let a = gz(b"first");
        let mut bad = gz(b"broken member here");
        let mid = bad.len() / 2;
        for x in &mut bad[12..mid + 2] {
            *x = 0xff;
        }
        let c = gz(b"third");
        let mut file = a.clone();
        file.extend_from_slice(&bad);
        file.extend_from_slice(&c);
        let mut s = Source::new(&file[..]).expect("source");
        let (got, errors) = drain(&mut s);
        assert_eq!(errors, 1);
        assert!(got.starts_with(b"first"));
        assert!(got.ends_with(b"third"));
    }
}
