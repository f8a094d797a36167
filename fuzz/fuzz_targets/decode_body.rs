//! Request bodies of creates and updates, by content type: the first byte picks JSON, YAML,
//! Kubernetes protobuf or an unsupported type, the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
    "application/json; charset=utf-8",
    "text/plain",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let ct = CONTENT_TYPES[pick as usize % CONTENT_TYPES.len()];
    let _ = kubegenie_sim::fuzzing::decode_body(ct, body);
});
