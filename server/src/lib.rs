//! The axum server: configuration, start-up (the router, built without a port for tests),
//! telemetry, and the demo seed. `main.rs` only dispatches subcommands.
// The pages' view types are deep, and their layout is computed where the router that
// renders them is built (here).
#![recursion_limit = "256"]

pub mod backup;
pub mod config;
pub mod health;
pub mod mail_catcher;
pub mod metrics;
pub mod security;
pub mod seed;
pub mod startup;
pub mod telemetry;
