//! The patch engine: the first byte picks JSON patch, merge patch, strategic merge patch or
//! server-side apply; the rest is the patch body applied to a fixed pod.
#![no_main]

use kubegenie_sim::patch::PatchType;
use libfuzzer_sys::fuzz_target;

const TYPES: [PatchType; 4] = [PatchType::Json, PatchType::Merge, PatchType::Strategic, PatchType::Apply];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let _ = kubegenie_sim::fuzzing::patch(TYPES[pick as usize % TYPES.len()], body);
});
