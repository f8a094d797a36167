//! Generated pod logs (placeholder, filled in below).
