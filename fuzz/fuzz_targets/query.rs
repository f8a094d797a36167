//! Query-string parsing (and the same bytes as a request path and an `Accept` header).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The request URI is a string by the time the handlers see it.
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = kubegenie_sim::fuzzing::query(s);
    }
});
