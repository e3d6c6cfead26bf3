//! Database statements for passes, their mailed tokens and their sessions. Every statement
//! whose atomicity matters (one pass per e-mail and per document, a token used once) relies
//! on a unique key or a conditional update, never on a read before the write.

pub mod accounts;
pub mod password;
pub mod session;

use crate::domain::DocumentType;
use crate::server::cookies;
use crate::server::crypto::DataKey;
use crate::server::entity::{pass, pass_token, registration, web_session};
use crate::validation::account::ValidSignUp;
use crate::validation::identity::ValidIdentity;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    SqlErr, TransactionSession, TransactionTrait,
};

/// Purpose bound into sealed document numbers of passes.
pub const DOC_NUMBER_PURPOSE: &str = "pass.doc_number";

pub const VERIFY_TTL: Duration = Duration::hours(24);
pub const RESET_TTL: Duration = Duration::minutes(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    Verify,
    Reset,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Verify => "verify",
            TokenPurpose::Reset => "reset",
        }
    }
    fn ttl(self) -> Duration {
        match self {
            TokenPurpose::Verify => VERIFY_TTL,
            TokenPurpose::Reset => RESET_TTL,
        }
    }
}

pub fn email_key(email: &str) -> String {
    email.to_lowercase()
}

fn custom(e: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(e.to_string())
}

/// A NEEA-style candidate id: 128 random bits as 32 upper-case hexadecimal characters.
pub fn new_neea_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode_upper(bytes))
}

pub async fn by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<pass::Model>, DbErr> {
    pass::Entity::find().filter(pass::Column::EmailKey.eq(email_key(email))).one(db).await
}

pub async fn by_id(db: &impl ConnectionTrait, id: i32) -> Result<Option<pass::Model>, DbErr> {
    pass::Entity::find_by_id(id).one(db).await
}

pub async fn by_document_hash(db: &impl ConnectionTrait, hash: &str) -> Result<Option<pass::Model>, DbErr> {
    pass::Entity::find().filter(pass::Column::DocNumberHash.eq(hash)).one(db).await
}

/// A pass by document number alone (sign-in does not ask for the type): the keyed hash of
/// the number under every type.
pub async fn by_document_number(
    db: &impl ConnectionTrait,
    key: &DataKey,
    number: &str,
) -> Result<Option<pass::Model>, DbErr> {
    let hashes: Vec<String> = DocumentType::ALL.iter().map(|t| key.lookup_hash(t.code(), number)).collect();
    pass::Entity::find().filter(pass::Column::DocNumberHash.is_in(hashes)).one(db).await
}

#[derive(Debug)]
pub enum Created {
    New(Box<pass::Model>),
    /// The e-mail address or the document already has a pass.
    Taken,
}

pub async fn create(
    db: &impl ConnectionTrait,
    key: &DataKey,
    valid: &ValidSignUp,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<Created, DbErr> {
    let number = &valid.identity.number;
    let doc_type = number.doc_type().code();
    let row = pass::ActiveModel {
        email: Set(valid.email.as_str().to_owned()),
        email_key: Set(email_key(valid.email.as_str())),
        email_verified_at: Set(None),
        password_hash: Set(password_hash),
        doc_type: Set(doc_type.to_owned()),
        doc_number: Set(key.seal(DOC_NUMBER_PURPOSE, number.expose()).map_err(custom)?),
        doc_number_hash: Set(key.lookup_hash(doc_type, number.expose())),
        doc_masked_hash: Set(key.masked_hash(number.expose())),
        name: Set(valid.identity.name.as_str().to_owned()),
        neea_id: Set(new_neea_id().map_err(custom)?),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    match row.insert(db).await {
        Ok(p) => Ok(Created::New(Box::new(p))),
        // Two sign-ups racing for one address or document: the unique key decides.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(Created::Taken),
        Err(e) => Err(e),
    }
}

/// Gives every pass made before migration 10 the hash its masked number is found by, 500 at
/// a time (idempotent; several servers may run it at once). A number that cannot be opened
/// gets an empty hash, so it is not tried again.
pub async fn backfill_masked(db: &sea_orm::DatabaseConnection, key: &DataKey) -> Result<u64, DbErr> {
    use sea_orm::QuerySelect;
    let mut filled = 0;
    loop {
        let batch = pass::Entity::find().filter(pass::Column::DocMaskedHash.is_null()).limit(500).all(db).await?;
        if batch.is_empty() {
            return Ok(filled);
        }
        for p in batch {
            let hash = doc_number(key, &p).ok().and_then(|n| key.masked_hash(&n)).unwrap_or_default();
            pass::Entity::update_many()
                .col_expr(pass::Column::DocMaskedHash, Expr::value(hash))
                .filter(pass::Column::Id.eq(p.id))
                .filter(pass::Column::DocMaskedHash.is_null())
                .exec(db)
                .await?;
            filled += 1;
        }
    }
}

/// The pass's document number, opened.
pub fn doc_number(key: &DataKey, p: &pass::Model) -> Result<String, DbErr> {
    key.open(DOC_NUMBER_PURPOSE, &p.doc_number).map_err(custom)
}

/// Issues a token, replacing the pass's unused tokens of the same purpose (only the newest
/// mailed link works). Returns the token to mail; only its hash is stored.
pub async fn issue_token(
    db: &impl ConnectionTrait,
    pass_id: i32,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    pass_token::Entity::delete_many()
        .filter(pass_token::Column::PassId.eq(pass_id))
        .filter(pass_token::Column::Purpose.eq(purpose.as_str()))
        .filter(pass_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    let token = cookies::new_token().map_err(custom)?;
    pass_token::ActiveModel {
        pass_id: Set(pass_id),
        purpose: Set(purpose.as_str().to_owned()),
        token_hash: Set(cookies::hash(&token)),
        created_at: Set(now),
        expires_at: Set(now + purpose.ttl()),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The pass a live (unused, unexpired) token belongs to, without using it up.
pub async fn token_owner(
    db: &impl ConnectionTrait,
    token: &str,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<Option<i32>, DbErr> {
    Ok(pass_token::Entity::find()
        .filter(pass_token::Column::TokenHash.eq(cookies::hash(token)))
        .filter(pass_token::Column::Purpose.eq(purpose.as_str()))
        .filter(pass_token::Column::UsedAt.is_null())
        .filter(pass_token::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .map(|t| t.pass_id))
}

/// Uses a token up: one conditional update, so of two concurrent uses exactly one wins.
/// Returns its pass.
pub async fn use_token(
    db: &impl ConnectionTrait,
    token: &str,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<Option<i32>, DbErr> {
    let Some(pass_id) = token_owner(db, token, purpose, now).await? else { return Ok(None) };
    let res = pass_token::Entity::update_many()
        .col_expr(pass_token::Column::UsedAt, Expr::value(now))
        .filter(pass_token::Column::TokenHash.eq(cookies::hash(token)))
        .filter(pass_token::Column::Purpose.eq(purpose.as_str()))
        .filter(pass_token::Column::UsedAt.is_null())
        .filter(pass_token::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok((res.rows_affected == 1).then_some(pass_id))
}

/// Verifies the e-mail address the token was mailed to.
pub async fn verify_email(db: &impl TransactionTrait, token: &str, now: DateTime<Utc>) -> Result<Option<i32>, DbErr> {
    let txn = db.begin().await?;
    let Some(pass_id) = use_token(&txn, token, TokenPurpose::Verify, now).await? else { return Ok(None) };
    pass::Entity::update_many()
        .col_expr(pass::Column::EmailVerifiedAt, Expr::value(now))
        .col_expr(pass::Column::UpdatedAt, Expr::value(now))
        .filter(pass::Column::Id.eq(pass_id))
        .filter(pass::Column::EmailVerifiedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Some(pass_id))
}

/// Sets a new password with a reset token: the token is used up, the address counts as
/// verified (the mail reached it), and every session of the pass ends.
pub async fn reset_password(
    db: &impl TransactionTrait,
    token: &str,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<Option<i32>, DbErr> {
    let txn = db.begin().await?;
    let Some(pass_id) = use_token(&txn, token, TokenPurpose::Reset, now).await? else { return Ok(None) };
    let Some(p) = by_id(&txn, pass_id).await? else { return Ok(None) };
    let verified = p.email_verified_at.or(Some(now));
    let mut row: pass::ActiveModel = p.into();
    row.password_hash = Set(password_hash);
    row.email_verified_at = Set(verified);
    row.updated_at = Set(now);
    row.update(&txn).await?;
    web_session::Entity::delete_many().filter(web_session::Column::PassId.eq(pass_id)).exec(&txn).await?;
    txn.commit().await?;
    Ok(Some(pass_id))
}

/// Whether any registration of the pass is locked (REGISTRATION.md rule 4).
pub async fn has_locked_registration(db: &impl ConnectionTrait, pass_id: i32) -> Result<bool, DbErr> {
    let n = registration::Entity::find()
        .filter(registration::Column::PassId.eq(pass_id))
        .filter(registration::Column::LockedAt.is_not_null())
        .count(db)
        .await?;
    Ok(n > 0)
}

#[derive(Debug, PartialEq, Eq)]
pub enum Edited {
    Done,
    /// Another pass holds this document.
    DocumentTaken,
    /// A registration of the pass is locked; nothing changed.
    Locked,
}

/// Changes the pass's document and name, unless a registration is locked. The lock is
/// checked inside the transaction that writes.
pub async fn edit_identity(
    db: &impl TransactionTrait,
    key: &DataKey,
    pass_id: i32,
    identity: &ValidIdentity,
    now: DateTime<Utc>,
) -> Result<Edited, DbErr> {
    let txn = db.begin().await?;
    if has_locked_registration(&txn, pass_id).await? {
        return Ok(Edited::Locked);
    }
    let number = &identity.number;
    let doc_type = number.doc_type().code();
    let res = pass::Entity::update_many()
        .col_expr(pass::Column::DocType, Expr::value(doc_type))
        .col_expr(pass::Column::DocNumber, Expr::value(key.seal(DOC_NUMBER_PURPOSE, number.expose()).map_err(custom)?))
        .col_expr(pass::Column::DocNumberHash, Expr::value(key.lookup_hash(doc_type, number.expose())))
        .col_expr(pass::Column::DocMaskedHash, Expr::value(key.masked_hash(number.expose())))
        .col_expr(pass::Column::Name, Expr::value(identity.name.as_str()))
        .col_expr(pass::Column::UpdatedAt, Expr::value(now))
        .filter(pass::Column::Id.eq(pass_id))
        .exec(&txn)
        .await;
    match res {
        Ok(_) => {
            txn.commit().await?;
            Ok(Edited::Done)
        }
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(Edited::DocumentTaken),
        Err(e) => Err(e),
    }
}
