//! In-process integration tests: the real router on a fresh database per test, no port.
#![allow(clippy::unwrap_used)]

mod access;
mod accounts;
mod arrangement;
mod binary;
mod caching;
mod cli;
mod cluster;
mod console;
mod crash;
mod export;
mod helpers;
mod journey;
mod operations;
mod pages;
mod payment;
mod review;
mod rosters;
mod search;
mod seats;
mod sessions;
mod staff;
mod staff_session;
mod tickets;
mod validate;
