//! Running the queries every page makes. A query is built once, with sea-orm's builder,
//! and `Fetch` runs it: inside a transaction or on the writer through sea-orm, and on the
//! read handle through the calling-thread SQLite reader when the database is SQLite (see
//! `reader`), through sea-orm otherwise. Only the execution differs, never the SQL.

use super::reader::{Layout, Reader};
use super::Reads;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, QuerySelect, QueryTrait, Select, SelectTwo,
    TryIntoModel,
};
use std::future::Future;

/// A pair of models from a `select_also` query (the second missing on a left join's miss).
pub type Also<E, F> = (<E as EntityTrait>::Model, Option<<F as EntityTrait>::Model>);

pub trait Fetch: Sync {
    fn all<E>(&self, q: Select<E>) -> impl Future<Output = Result<Vec<E::Model>, DbErr>> + Send
    where
        E: EntityTrait,
        E::ActiveModel: TryIntoModel<E::Model>;

    fn all_also<E, F>(&self, q: SelectTwo<E, F>) -> impl Future<Output = Result<Vec<Also<E, F>>, DbErr>> + Send
    where
        E: EntityTrait,
        F: EntityTrait,
        E::ActiveModel: TryIntoModel<E::Model>,
        F::ActiveModel: TryIntoModel<F::Model>;

    fn one<E>(&self, q: Select<E>) -> impl Future<Output = Result<Option<E::Model>, DbErr>> + Send
    where
        E: EntityTrait,
        E::ActiveModel: TryIntoModel<E::Model>,
    {
        let q = q.limit(1);
        async move { Ok(self.all(q).await?.into_iter().next()) }
    }

    fn one_also<E, F>(&self, q: SelectTwo<E, F>) -> impl Future<Output = Result<Option<Also<E, F>>, DbErr>> + Send
    where
        E: EntityTrait,
        F: EntityTrait,
        E::ActiveModel: TryIntoModel<E::Model>,
        F::ActiveModel: TryIntoModel<F::Model>,
    {
        let q = q.limit(1);
        async move { Ok(self.all_also(q).await?.into_iter().next()) }
    }
}

macro_rules! through_sea_orm {
    ($conn:ty) => {
        impl Fetch for $conn {
            fn all<E>(&self, q: Select<E>) -> impl Future<Output = Result<Vec<E::Model>, DbErr>> + Send
            where
                E: EntityTrait,
                E::ActiveModel: TryIntoModel<E::Model>,
            {
                q.all(self)
            }

            fn all_also<E, F>(&self, q: SelectTwo<E, F>) -> impl Future<Output = Result<Vec<Also<E, F>>, DbErr>> + Send
            where
                E: EntityTrait,
                F: EntityTrait,
                E::ActiveModel: TryIntoModel<E::Model>,
                F::ActiveModel: TryIntoModel<F::Model>,
            {
                q.all(self)
            }
        }
    };
}

through_sea_orm!(DatabaseConnection);
through_sea_orm!(DatabaseTransaction);

fn models<E>(reader: &Reader, q: Select<E>) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
    E::ActiveModel: TryIntoModel<E::Model>,
{
    let statement = q.build(sea_orm::DbBackend::Sqlite);
    let rows = reader.rows(&statement, |names| Layout::<E>::find(names, ""), |layout, row| layout.model(row))?;
    rows.into_iter().map(|m| m.ok_or_else(|| DbErr::Custom("a row with no values".into()))).collect()
}

fn pairs<E, F>(reader: &Reader, q: SelectTwo<E, F>) -> Result<Vec<Also<E, F>>, DbErr>
where
    E: EntityTrait,
    F: EntityTrait,
    E::ActiveModel: TryIntoModel<E::Model>,
    F::ActiveModel: TryIntoModel<F::Model>,
{
    let statement = q.build(sea_orm::DbBackend::Sqlite);
    reader.rows(
        &statement,
        |names| Ok((Layout::<E>::find(names, "A_")?, Layout::<F>::find(names, "B_")?)),
        |(first, second), row| {
            let e = first.model(row)?.ok_or_else(|| DbErr::Custom("a row with no values".into()))?;
            Ok((e, second.model(row)?))
        },
    )
}

impl Fetch for Reads {
    fn all<E>(&self, q: Select<E>) -> impl Future<Output = Result<Vec<E::Model>, DbErr>> + Send
    where
        E: EntityTrait,
        E::ActiveModel: TryIntoModel<E::Model>,
    {
        async move {
            match &self.local {
                Some(reader) => models(reader, q),
                None => q.all(&self.pool).await,
            }
        }
    }

    fn all_also<E, F>(&self, q: SelectTwo<E, F>) -> impl Future<Output = Result<Vec<Also<E, F>>, DbErr>> + Send
    where
        E: EntityTrait,
        F: EntityTrait,
        E::ActiveModel: TryIntoModel<E::Model>,
        F::ActiveModel: TryIntoModel<F::Model>,
    {
        async move {
            match &self.local {
                Some(reader) => pairs(reader, q),
                None => q.all(&self.pool).await,
            }
        }
    }
}
