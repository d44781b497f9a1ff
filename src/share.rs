//! Share links: a case's inputs and options packed into a URL fragment
//! (`#/share/v1.…`), compressed, so a link reproduces a diagnosis without
//! anything reaching a server (browsers never send the fragment).
//!
//! Format `v1.` + base64url (no padding) of: magic `L1`, the varint length of
//! the JSON payload, then LZ77 tokens (varint literal count, literals, varint
//! match length − 4, varint distance − 1) until that length is reached.
//!
//! Guarantees: [`decode`] never panics, never allocates more than
//! [`MAX_DECODED`] bytes for the payload, and runs in time linear in its
//! output; corrupted, truncated or oversized fragments give a [`ShareError`]
//! whose message can be shown as is.

use serde::{Deserialize, Serialize};

use crate::options::SslMode;

/// Largest payload a link may unpack to.
pub const MAX_DECODED: usize = 8 * 1024 * 1024;
/// Longest fragment [`decode`] reads at all.
pub const MAX_ENCODED: usize = MAX_DECODED / 3 * 4 + 64;

const PREFIX: &str = "v1.";
const MAGIC: &[u8; 2] = b"L1";
const MIN_MATCH: usize = 4;
const WINDOW: usize = 1 << 16;
const HASH_BITS: u32 = 15;
const MAX_CHAIN: usize = 32;

/// One pasted text of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedInput {
    pub name: String,
    pub text: String,
}

/// The person's correction of a detected block's kind (the engine reads it
/// through `Options::kind_overrides`).
pub use crate::parse::kind::KindOverride;

/// Everything needed to reproduce a case.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SharePayload {
    pub inputs: Vec<SharedInput>,
    #[serde(default)]
    pub ssl_mode: SslMode,
    #[serde(default)]
    pub extra_ports: Vec<u16>,
    #[serde(default)]
    pub overrides: Vec<KindOverride>,
    /// True when the inputs were redacted before sharing.
    #[serde(default)]
    pub redacted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    Empty,
    UnknownVersion,
    BadCharacters,
    Truncated,
    Corrupt(&'static str),
    TooLarge,
    BadPayload,
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let msg = match self {
            ShareError::Empty => "The share link carries no case.",
            ShareError::UnknownVersion => {
                "The share link was made by a different version of this page and cannot be read."
            }
            ShareError::BadCharacters => {
                "The share link is damaged (it contains characters a share link never has); copy it again in full."
            }
            ShareError::Truncated => "The share link is cut short; copy it again in full.",
            ShareError::Corrupt(_) => "The share link is damaged; copy it again in full.",
            ShareError::TooLarge => "The share link is larger than this page accepts (8 MB).",
            ShareError::BadPayload => "The share link does not contain a case this page can read.",
        };
        f.write_str(msg)?;
        if let ShareError::Corrupt(why) = self {
            write!(f, " ({why})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ShareError {}

/// Pack a case into a fragment-safe string.
pub fn encode(payload: &SharePayload) -> String {
    let json = serde_json::to_string(payload).unwrap_or_default();
    let packed = compress(json.as_bytes());
    let mut out = String::with_capacity(PREFIX.len() + packed.len() * 4 / 3 + 4);
    out.push_str(PREFIX);
    base64url_encode(&packed, &mut out);
    out
}

/// Unpack a string made by [`encode`].
pub fn decode(text: &str) -> Result<SharePayload, ShareError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ShareError::Empty);
    }
    if text.len() > MAX_ENCODED {
        return Err(ShareError::TooLarge);
    }
    let body = text
        .strip_prefix(PREFIX)
        .ok_or(ShareError::UnknownVersion)?;
    let packed = base64url_decode(body)?;
    let json = decompress(&packed, MAX_DECODED)?;
    let payload: SharePayload =
        serde_json::from_slice(&json).map_err(|_| ShareError::BadPayload)?;
    if payload.inputs.is_empty() {
        return Err(ShareError::Empty);
    }
    Ok(payload)
}

/// LZ77 with a hash chain over a 64 KiB window.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3 + 16);
    out.extend_from_slice(MAGIC);
    put_varint(&mut out, data.len() as u64);
    let mut head = vec![u32::MAX; 1 << HASH_BITS];
    let mut prev = vec![u32::MAX; WINDOW];
    let mut lit_start = 0;
    let mut i = 0;
    while i < data.len() {
        let (len, dist) = longest_match(data, i, &head, &prev);
        if len >= MIN_MATCH {
            let literals = data.get(lit_start..i).unwrap_or(&[]);
            put_varint(&mut out, literals.len() as u64);
            out.extend_from_slice(literals);
            put_varint(&mut out, (len - MIN_MATCH) as u64);
            put_varint(&mut out, (dist - 1) as u64);
            let end = i + len;
            while i < end {
                insert(data, i, &mut head, &mut prev);
                i += 1;
            }
            lit_start = i;
        } else {
            insert(data, i, &mut head, &mut prev);
            i += 1;
        }
    }
    if lit_start < data.len() || data.is_empty() {
        let literals = data.get(lit_start..).unwrap_or(&[]);
        put_varint(&mut out, literals.len() as u64);
        out.extend_from_slice(literals);
    }
    out
}

/// Inverse of [`compress`]; refuses output longer than `cap`.
pub fn decompress(data: &[u8], cap: usize) -> Result<Vec<u8>, ShareError> {
    let rest = data.strip_prefix(MAGIC).ok_or(ShareError::UnknownVersion)?;
    let mut r = Reader { data: rest, pos: 0 };
    let total = usize::try_from(r.varint()?).map_err(|_| ShareError::TooLarge)?;
    if total > cap {
        return Err(ShareError::TooLarge);
    }
    let mut out: Vec<u8> = Vec::with_capacity(total);
    loop {
        let lit = r.length()?;
        if lit > total - out.len() {
            return Err(ShareError::Corrupt("literal run past the end"));
        }
        out.extend_from_slice(r.take(lit)?);
        if out.len() == total {
            break;
        }
        let len = r
            .length()?
            .checked_add(MIN_MATCH)
            .ok_or(ShareError::Corrupt("match length"))?;
        let dist = r
            .length()?
            .checked_add(1)
            .ok_or(ShareError::Corrupt("distance"))?;
        if dist > out.len() {
            return Err(ShareError::Corrupt("distance before the start"));
        }
        if len > total - out.len() {
            return Err(ShareError::Corrupt("match past the end"));
        }
        let start = out.len() - dist;
        // Byte by byte: a match may overlap the bytes it produces.
        for k in 0..len {
            let b = out.get(start + k).copied().unwrap_or(0);
            out.push(b);
        }
        if out.len() == total {
            break;
        }
    }
    if r.pos != r.data.len() {
        return Err(ShareError::Corrupt("data after the end"));
    }
    Ok(out)
}

fn hash4(data: &[u8], i: usize) -> Option<usize> {
    let b = data.get(i..i.checked_add(4)?)?;
    let v = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    Some((v.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize)
}

fn insert(data: &[u8], i: usize, head: &mut [u32], prev: &mut [u32]) {
    if let Some(h) = hash4(data, i) {
        if let (Some(slot), Some(p)) = (head.get_mut(h), prev.get_mut(i % WINDOW)) {
            *p = *slot;
            *slot = i as u32;
        }
    }
}

fn longest_match(data: &[u8], i: usize, head: &[u32], prev: &[u32]) -> (usize, usize) {
    let Some(h) = hash4(data, i) else {
        return (0, 0);
    };
    let mut best = (0, 0);
    let mut cand = head.get(h).copied().unwrap_or(u32::MAX);
    let rest = data.get(i..).unwrap_or(&[]);
    for _ in 0..MAX_CHAIN {
        if cand == u32::MAX {
            break;
        }
        let c = cand as usize;
        if c >= i || i - c > WINDOW - 1 {
            break;
        }
        let len = data
            .get(c..)
            .unwrap_or(&[])
            .iter()
            .zip(rest)
            .take_while(|(a, b)| a == b)
            .count();
        if len > best.0 {
            best = (len, i - c);
            if len >= 1024 {
                break;
            }
        }
        let next = prev.get(c % WINDOW).copied().unwrap_or(u32::MAX);
        // A stale slot from an older lap of the ring points forward: stop.
        if next != u32::MAX && next as usize >= c {
            break;
        }
        cand = next;
    }
    best
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, ShareError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = *self.data.get(self.pos).ok_or(ShareError::Truncated)?;
            self.pos += 1;
            let part = u64::from(b & 0x7f)
                .checked_shl(shift)
                .filter(|p| p >> shift == u64::from(b & 0x7f))
                .ok_or(ShareError::Corrupt("number too large"))?;
            v |= part;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(ShareError::Corrupt("number too long"))
    }

    fn length(&mut self) -> Result<usize, ShareError> {
        usize::try_from(self.varint()?).map_err(|_| ShareError::Corrupt("length"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ShareError> {
        let end = self.pos.checked_add(n).ok_or(ShareError::Truncated)?;
        let s = self.data.get(self.pos..end).ok_or(ShareError::Truncated)?;
        self.pos = end;
        Ok(s)
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url_encode(data: &[u8], out: &mut String) {
    let sym = |v: u32| ALPHABET.get((v & 63) as usize).map_or('A', |&b| b as char);
    for chunk in data.chunks(3) {
        let b0 = u32::from(chunk.first().copied().unwrap_or(0));
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let n = (b0 << 16) | (b1 << 8) | b2;
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        if chunk.len() > 1 {
            out.push(sym(n >> 6));
        }
        if chunk.len() > 2 {
            out.push(sym(n));
        }
    }
}

fn base64url_decode(text: &str) -> Result<Vec<u8>, ShareError> {
    let value = |c: u8| -> Result<u32, ShareError> {
        Ok(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            // Standard base64 too, in case a mail client rewrote the link.
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return Err(ShareError::BadCharacters),
        }))
    };
    let bytes = text.trim_end_matches('=').as_bytes();
    if bytes.len() % 4 == 1 {
        return Err(ShareError::Truncated);
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 3);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (k, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * k as u32);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::kind::BlockKind;

    fn sample() -> SharePayload {
        SharePayload {
            inputs: vec![
                SharedInput {
                    name: "paste".into(),
                    text: include_str!("../tests/fixtures/ufw/verbose-apps-reject.txt").repeat(20),
                },
                SharedInput {
                    name: "dns".into(),
                    text: "www.example.com. 300 IN A 10.0.0.12 é ☃ \u{1F600}\n".into(),
                },
            ],
            ssl_mode: SslMode::Full,
            extra_ports: vec![8443],
            overrides: vec![KindOverride {
                input: "paste".into(),
                first_line: 3,
                block: 0x9e37_79b9_7f4a_7c15,
                kind: BlockKind::Ufw,
            }],
            redacted: true,
        }
    }

    #[test]
    fn round_trip_and_compresses() {
        let p = sample();
        let link = encode(&p);
        assert!(link.starts_with("v1."));
        assert!(link
            .bytes()
            .skip(3)
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let json_len = serde_json::to_string(&p).map(|s| s.len()).unwrap_or(0);
        assert!(link.len() * 4 < json_len, "{} vs {json_len}", link.len());
        assert_eq!(decode(&link), Ok(p));
    }

    #[test]
    fn compressor_round_trips_edge_shapes() {
        let cases: Vec<Vec<u8>> = vec![
            vec![],
            b"a".to_vec(),
            b"abcd".to_vec(),
            vec![b'x'; 100_000],
            (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect(),
            b"abcabcabcabcabcabcabcabd".repeat(5000),
        ];
        for data in cases {
            let packed = compress(&data);
            assert_eq!(decompress(&packed, MAX_DECODED).as_deref(), Ok(&data[..]));
        }
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let link = encode(&sample());
        for cut in 0..link.len() {
            let short = link.get(..cut).unwrap_or("");
            assert!(decode(short).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn flipped_characters_never_panic() {
        let link = encode(&sample());
        let bytes = link.as_bytes();
        for pos in (3..bytes.len()).step_by(7) {
            let mut b = bytes.to_vec();
            if let Some(c) = b.get_mut(pos) {
                *c = if *c == b'A' { b'z' } else { b'A' };
            }
            let s = String::from_utf8(b).unwrap_or_default();
            // Either an error or some payload; never a panic or a hang.
            let _ = decode(&s);
        }
    }

    #[test]
    fn corrupted_fragments_say_why() {
        assert_eq!(decode(""), Err(ShareError::Empty));
        assert_eq!(decode("v2.AAAA"), Err(ShareError::UnknownVersion));
        assert_eq!(decode("v1.<script>"), Err(ShareError::BadCharacters));
        assert_eq!(decode("v1.A"), Err(ShareError::Truncated));
        // Valid framing, but the JSON inside is not a case.
        let mut s = String::from("v1.");
        base64url_encode(&compress(b"{\"inputs\":7}"), &mut s);
        assert_eq!(decode(&s), Err(ShareError::BadPayload));
        let mut s = String::from("v1.");
        base64url_encode(&compress(b"{\"inputs\":[]}"), &mut s);
        assert_eq!(decode(&s), Err(ShareError::Empty));
        assert!(ShareError::Truncated.to_string().contains("cut short"));
    }

    #[test]
    fn oversized_claims_are_refused_before_allocating() {
        // A header that claims 1 TB of output.
        let mut bomb = MAGIC.to_vec();
        put_varint(&mut bomb, 1 << 40);
        assert_eq!(decompress(&bomb, MAX_DECODED), Err(ShareError::TooLarge));
        // A real 9 MB payload is refused too.
        let big = vec![b'a'; MAX_DECODED + 1];
        assert_eq!(
            decompress(&compress(&big), MAX_DECODED),
            Err(ShareError::TooLarge)
        );
        // Overlong varints and distances before the start.
        let mut bad = MAGIC.to_vec();
        bad.extend_from_slice(&[0xff; 12]);
        assert!(decompress(&bad, MAX_DECODED).is_err());
        let mut bad = MAGIC.to_vec();
        put_varint(&mut bad, 10);
        put_varint(&mut bad, 1);
        bad.push(b'a');
        put_varint(&mut bad, 0);
        put_varint(&mut bad, 5);
        assert_eq!(
            decompress(&bad, MAX_DECODED),
            Err(ShareError::Corrupt("distance before the start"))
        );
        let long = "A".repeat(MAX_ENCODED + 1);
        assert_eq!(decode(&format!("v1.{long}")), Err(ShareError::TooLarge));
    }
}
