//! The agents against simulated clusters over real HTTPS.

mod common;
mod health;
