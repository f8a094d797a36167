//! The health agent (filled in with the runtime).
