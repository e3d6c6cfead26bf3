//! The axum server: configuration, start-up (the router, built without a port for tests),
//! telemetry, and the demo seed. `main.rs` only dispatches subcommands.

pub mod config;
pub mod mail_catcher;
pub mod sandbox;
pub mod security;
pub mod seed;
pub mod startup;
pub mod telemetry;
