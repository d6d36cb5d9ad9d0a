//! Generated types print as their wire JSON in `Debug`, but never a
//! password or a token they hold.

use dropbox::auth::{TokenFromOAuth1Arg, TokenFromOAuth1Result};
use dropbox::sharing::{LinkPassword, LinkSettings, SharedLinkSettings};

#[test]
fn debug_output_redacts_tokens_and_passwords_and_keeps_the_rest() {
    let shown = format!(
        "{:?} {:?}",
        TokenFromOAuth1Arg::new("OAUTH1-TOKEN".into(), "OAUTH1-SECRET".into()),
        TokenFromOAuth1Result::new("sl.SECRET-ACCESS-TOKEN".into()),
    );
    for secret in ["OAUTH1-TOKEN", "OAUTH1-SECRET", "sl.SECRET-ACCESS-TOKEN"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.contains(r#""oauth2_token":"<redacted>""#), "{shown}");

    let settings = SharedLinkSettings::new()
        .with_link_password("LINK-PASSWORD".into())
        .with_require_password(true);
    let link = LinkSettings::new().with_password(LinkPassword::SetPassword("SET-PASSWORD".into()));
    let shown = format!("{settings:?} {link:?}");
    assert!(
        !shown.contains("LINK-PASSWORD") && !shown.contains("SET-PASSWORD"),
        "{shown}"
    );
    assert!(shown.contains(r#""link_password":"<redacted>""#), "{shown}");

    // The wire format itself is untouched: requests carry the values.
    let wire = dropbox::wire::to_string(&settings);
    assert!(
        wire.contains(r#""link_password":"LINK-PASSWORD""#),
        "{wire}"
    );
    // And fields that are not secrets still show.
    let at = dropbox::time::OffsetDateTime::UNIX_EPOCH;
    let meta = dropbox::files::FileMetadata::new(
        "a.txt".into(),
        "id:1".into(),
        at,
        at,
        "a1c10ce0dd78".into(),
        7,
    );
    assert!(format!("{meta:?}").contains(r#""name":"a.txt""#));
}
