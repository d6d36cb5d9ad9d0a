//! Dropbox webhooks, without a web framework: check that a notification
//! comes from Dropbox, and answer the verification request.
//!
//! Dropbox first sends `GET /your-endpoint?challenge=abc`: answer with
//! [`challenge_response`]. Then each notification is a `POST` whose body is
//! signed with the app secret in the `X-Dropbox-Signature` header: check
//! it with [`verify_signature`] before trusting the body. See
//! <https://www.dropbox.com/developers/reference/webhooks> and
//! `examples/webhook_server.rs` for both in an axum server.
//!
//! ```
//! use dropbox::webhook::{signature, verify_signature};
//! let body = br#"{"list_folder": {"accounts": ["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]}}"#;
//! let header = signature("app-secret", body); // what Dropbox sends
//! assert!(verify_signature("app-secret", body, &header));
//! assert!(!verify_signature("another-secret", body, &header));
//! ```

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "X-Dropbox-Signature";

/// Whether `signature` (the `X-Dropbox-Signature` header: hex HMAC-SHA256
/// of the body with the app secret) signs `body`. The comparison takes the
/// same time wherever the signatures differ, so it gives no hint to an
/// attacker; a header that is not 64 hex digits is simply wrong.
pub fn verify_signature(app_secret: &str, body: &[u8], signature: &str) -> bool {
    let Some(expected) = decode_hex(signature.trim()) else {
        return false;
    };
    let mut mac = new_mac(app_secret);
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// The `X-Dropbox-Signature` Dropbox would send for `body`: for tests, and
/// for relaying notifications.
pub fn signature(app_secret: &str, body: &[u8]) -> String {
    let mut mac = new_mac(app_secret);
    mac.update(body);
    crate::content_hash::hex(&mac.finalize().into_bytes())
}

fn new_mac(app_secret: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length: this cannot fail.
    match Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 == 1 {
        return None;
    }
    s.as_bytes().chunks(2).map(hex_byte).collect()
}

/// The byte two hex digits spell (`from_str_radix` alone takes a sign:
/// `+f` would be 0x0f).
fn hex_byte(pair: &[u8]) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16);
    match pair {
        [hi, lo] => Some(u8::try_from(digit(*hi)? * 16 + digit(*lo)?).ok()?),
        _ => None,
    }
}

/// The answer to Dropbox's verification request: status 200, these
/// headers, this body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeResponse {
    pub status: u16,
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: String,
}

/// Answer `GET ?challenge=...`: the challenge echoed back as plain text,
/// with `X-Content-Type-Options: nosniff` so that no browser reads the
/// echoed text as HTML (Dropbox's docs ask for both).
pub fn challenge_response(challenge: &str) -> ChallengeResponse {
    ChallengeResponse {
        status: 200,
        headers: vec![
            ("Content-Type", "text/plain"),
            ("X-Content-Type-Options", "nosniff"),
        ],
        body: challenge.to_string(),
    }
}

/// The `challenge` parameter of a query string (`challenge=abc&x=1`),
/// percent-decoded; `None` if there is none.
pub fn challenge_from_query(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (name == "challenge").then(|| percent_decode(value))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(hex_byte);
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hmac_is_rfc_4231s() {
        // RFC 4231 test case 2: key "Jefe".
        let body = b"what do ya want for nothing?";
        let sig = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(signature("Jefe", body), sig);
        assert!(verify_signature("Jefe", body, sig));
        assert!(verify_signature("Jefe", body, &sig.to_uppercase()));
        assert!(!verify_signature(
            "Jefe",
            b"what do ya want for nothing!",
            sig
        ));
        assert!(!verify_signature("jefe", body, sig));
        assert!(!verify_signature("Jefe", body, &sig[..62]));
        assert!(!verify_signature("Jefe", body, ""));
        assert!(!verify_signature(
            "Jefe",
            body,
            &format!("{}zz", &sig[..62])
        ));
        assert!(!verify_signature("Jefe", body, "é"));
        // A sign where a hex digit goes (its tenth byte `04` as `+4`) is
        // not the signature.
        assert_eq!(&sig[18..20], "04");
        assert!(!verify_signature(
            "Jefe",
            body,
            &format!("{}+4{}", &sig[..18], &sig[20..])
        ));
        assert!(!verify_signature("Jefe", body, &format!("{}é", &sig[..62])));
    }

    #[test]
    fn the_challenge_is_echoed_as_plain_text() {
        let q = "foo=1&challenge=a%2Fb+c%3D&bar";
        let challenge = challenge_from_query(q).unwrap();
        assert_eq!(challenge, "a/b c=");
        let r = challenge_response(&challenge);
        assert_eq!(r.status, 200);
        assert_eq!(r.body, "a/b c=");
        assert!(r.headers.contains(&("X-Content-Type-Options", "nosniff")));
        assert!(r.headers.contains(&("Content-Type", "text/plain")));
        assert_eq!(challenge_from_query("foo=1"), None);
        // `%+f` is not an escape: kept as it is (and `+` is a space).
        assert_eq!(challenge_from_query("challenge=a%+fb").unwrap(), "a% fb");
    }
}
