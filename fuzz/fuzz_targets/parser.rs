//! Parser only: the whole input (lossy UTF-8) through `stone::parser::parse_file`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = stone::parser::parse_file(0, &text);
});
