//! Schema migrations, one file per migration (sea-orm takes the name from the file name).
//! The server runs `Migrator::up` on start-up and from `server migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_reference_and_drafts;
mod m20261124_000002_seal_document_numbers;
mod m20261124_000003_passes;
mod m20261125_000004_registration_journey;
mod m20261125_000005_holdings_version;
mod m20261126_000006_payments;
mod m20261203_000007_staff;
mod m20261204_000008_configuration_audit;
mod m20261205_000009_staff_disabled;
mod m20261206_000010_review;
mod m20261207_000011_rosters;
mod m20261207_000012_arrangement;
mod m20261207_000013_rate_limits;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_reference_and_drafts::Migration),
            Box::new(m20261124_000002_seal_document_numbers::Migration),
            Box::new(m20261124_000003_passes::Migration),
            Box::new(m20261125_000004_registration_journey::Migration),
            Box::new(m20261125_000005_holdings_version::Migration),
            Box::new(m20261126_000006_payments::Migration),
            Box::new(m20261203_000007_staff::Migration),
            Box::new(m20261204_000008_configuration_audit::Migration),
            Box::new(m20261205_000009_staff_disabled::Migration),
            Box::new(m20261206_000010_review::Migration),
            Box::new(m20261207_000011_rosters::Migration),
            Box::new(m20261207_000012_arrangement::Migration),
            Box::new(m20261207_000013_rate_limits::Migration),
        ]
    }
}
