//! Label and field selector parsing and matching (`labelSelector`, `fieldSelector`, and
//! `LabelSelector` objects as workloads carry them).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Query values reach the parsers as UTF-8 strings (percent-decoded by the query parser).
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = kubegenie_sim::fuzzing::selectors(s);
    }
});
