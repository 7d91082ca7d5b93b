//! Bytes → text. Government files come as UTF-8 (with or without BOM), GBK/GB18030 and
//! now and then UTF-16 or Big5; everything that is not text is refused with a reason.

use encoding_rs::{Encoding, GB18030, UTF_8};

/// Why a file could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the file is empty")]
    Empty,
    #[error("the file holds no text (only white space)")]
    Blank,
    #[error("the file is binary, not text ({0})")]
    Binary(&'static str),
    #[error("the file is not valid text in UTF-8, GB18030/GBK, UTF-16 or Big5")]
    Undecodable,
}

/// Decoded text and the encoding it was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// WHATWG name of the encoding (`UTF-8`, `gb18030`, `UTF-16LE`, `Big5`).
    pub encoding: &'static str,
    pub had_bom: bool,
}

/// Decodes a file's bytes. UTF-8 is tried first (it is unambiguous); then a BOM decides;
/// then GB18030 (a superset of GBK and GB2312); then whatever chardetng guesses. Only a
/// decoding without a single malformed sequence is accepted, so nothing is silently lost.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        let (text, had_errors) = enc.decode_without_bom_handling(body);
        if had_errors {
            return Err(DecodeError::Undecodable);
        }
        return finish(text.into_owned(), enc, true);
    }
    if let Some(reason) = binary_signature(bytes) {
        return Err(DecodeError::Binary(reason));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return finish(text.to_owned(), UTF_8, false);
    }
    let mut candidates: Vec<&'static Encoding> = vec![GB18030];
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    if guess != GB18030 && guess != UTF_8 {
        candidates.push(guess);
    }
    for enc in candidates {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors {
            return finish(text.into_owned(), enc, false);
        }
    }
    Err(DecodeError::Undecodable)
}

fn finish(text: String, enc: &'static Encoding, had_bom: bool) -> Result<Decoded, DecodeError> {
    if text.chars().any(|c| c == '\0') {
        return Err(DecodeError::Binary("NUL characters"));
    }
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if controls * 20 > text.chars().count().max(1) {
        return Err(DecodeError::Binary("control characters"));
    }
    if text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').is_empty() {
        return Err(DecodeError::Blank);
    }
    Ok(Decoded { text, encoding: enc.name(), had_bom })
}

/// Well-known binary formats and NUL bytes (which no text encoding read here produces,
/// UTF-16 aside, and UTF-16 without a BOM is not accepted).
fn binary_signature(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF", "PDF; convert it to text first"),
        (b"PK\x03\x04", "ZIP or Office document; convert it to text first"),
        (b"\xD0\xCF\x11\xE0", "legacy Office document; convert it to text first"),
        (b"\x89PNG", "PNG image"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"\x7FELF", "executable"),
    ];
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            return Some(what);
        }
    }
    let head = &bytes[..bytes.len().min(8192)];
    head.contains(&0).then_some("NUL bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf8_with_and_without_bom() {
        let d = decode("第一条 总则".as_bytes()).unwrap();
        assert_eq!((d.text.as_str(), d.encoding, d.had_bom), ("第一条 总则", "UTF-8", false));
        let d = decode("\u{feff}第一条".as_bytes()).unwrap();
        assert_eq!((d.text.as_str(), d.had_bom), ("第一条", true));
    }

    #[test]
    fn reads_gbk_and_gb18030() {
        let text = "第十条 用人单位自用工之日起即与劳动者建立劳动关系。（十）落实企业培养产业工人的责任";
        let (bytes, _, _) = GB18030.encode(text);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.encoding, "gb18030");
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode(&bytes).unwrap().text, text);
    }

    #[test]
    fn reads_utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "第一条".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap().text, "第一条");
    }

    #[test]
    fn refuses_empty_blank_binary() {
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert_eq!(decode(b" \n\r\n\t"), Err(DecodeError::Blank));
        assert_eq!(decode(b"\x89PNG\r\n\x1a\n\0\0"), Err(DecodeError::Binary("PNG image")));
        assert_eq!(decode(b"abc\0def"), Err(DecodeError::Binary("NUL bytes")));
        assert!(matches!(decode(b"%PDF-1.7"), Err(DecodeError::Binary(_))));
    }
}
