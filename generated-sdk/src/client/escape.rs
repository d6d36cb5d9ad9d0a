//! JSON for HTTP headers (`Dropbox-API-Arg`, `Dropbox-API-Path-Root`).

/// `json` with 0x7F and every non-ASCII character written as `\uXXXX`
/// (UTF-16 surrogate pairs above U+FFFF), as Dropbox requires of JSON in a
/// header. Outside strings JSON is ASCII already, so escaping the whole
/// text escapes exactly the strings' characters.
pub fn ascii_json(json: &str) -> String {
    if json.bytes().all(|b| b < 0x7F) {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() + 16);
    let mut units = [0u16; 2];
    for c in json.chars() {
        if (c as u32) < 0x7F {
            out.push(c);
        } else {
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ascii_json;

    #[test]
    fn escapes_non_ascii_and_del() {
        assert_eq!(ascii_json(r#"{"path": "/a"}"#), r#"{"path": "/a"}"#);
        assert_eq!(
            ascii_json(r#"{"path": "/café"}"#),
            r#"{"path": "/caf\u00e9"}"#
        );
        assert_eq!(ascii_json("\"\u{7f}\""), r#""\u007f""#);
        assert_eq!(ascii_json("\"😀\""), r#""\ud83d\ude00""#);
    }
}
