//! Orders and payments in the database. Every change here takes the registration's row
//! first (an `UPDATE` raising its holdings version), as subject choices, the sweeper and
//! deletes do, so on PostgreSQL they queue on that row and on SQLite the one writer orders
//! them anyway. Each function is one transaction; what it decides it decides on rows read
//! after taking that row.

use super::gateway::Paid;
use crate::server::audit;
use crate::server::clock::beijing;
use crate::server::entity::registration::ReviewState;
use crate::server::entity::{enrolment, order_item, payment, payment_order, registration};
use crate::server::journey::UNPAID_HOLD;
use crate::views::staff::AuditKind;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::super::entity::payment::{Outcome, RefundReason};
pub use super::super::entity::payment_order::OrderStatus;

/// However close the subjects' deadline, a new order leaves this long to pay.
pub const PAY_GRACE: Duration = Duration::minutes(15);

/// What starting a payment found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// A new order for every unpaid subject.
    Created(payment_order::Model),
    /// The open order already covering them (never a second one).
    Reused(payment_order::Model),
    /// The open order is past its time: it must be settled with the platform first.
    Expired(payment_order::Model),
    NothingToPay,
    /// An unpaid subject's 24 hours are over: it is about to be released, not paid for.
    TooLate,
}

/// What a reported payment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The order is paid now: its subjects are 已支付.
    Paid(payment_order::Model),
    /// This platform trade was recorded before (a replayed or repeated notification).
    AlreadyRecorded,
    /// Recorded, but the order was closed or paid by another trade: owed back.
    RefundDue { reason: RefundReason },
    /// No such order: nothing recorded.
    UnknownOrder,
    /// The amount differs from the order's: nothing recorded.
    WrongAmount,
}

/// Takes the registration's row for this transaction. `false`: it no longer exists.
async fn take_registration(txn: &DatabaseTransaction, registration_id: i32, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let r = registration::Entity::update_many()
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .col_expr(registration::Column::HoldingsVersion, registration::raised_holdings_version())
        .filter(registration::Column::Id.eq(registration_id))
        .exec(txn)
        .await?;
    Ok(r.rows_affected == 1)
}

pub async fn open_order_of(
    db: &impl ConnectionTrait,
    registration_id: i32,
) -> Result<Option<payment_order::Model>, DbErr> {
    payment_order::Entity::find()
        .filter(payment_order::Column::RegistrationId.eq(registration_id))
        .filter(payment_order::Column::Status.eq(OrderStatus::Open))
        .one(db)
        .await
}

/// `NCRE_65-2025010611-8060053629`: province, the hour in Beijing, ten random digits.
pub fn order_number(province_code: &str, now: DateTime<Utc>) -> String {
    let mut bytes = [0u8; 8];
    // Without randomness a number could repeat; the unique key would then refuse it and a
    // new one is drawn, so a failure here only costs a retry.
    let _ = getrandom::fill(&mut bytes);
    let digits = u64::from_le_bytes(bytes) % 10_000_000_000;
    format!("NCRE_{province_code}-{}-{digits:010}", now.with_timezone(&beijing()).format("%Y%m%d%H"))
}

/// Starting payment (rule 4): locks the registration and opens one order for exactly its
/// unpaid subjects, or finds the one already open.
pub async fn start(
    db: &DatabaseConnection,
    registration_id: i32,
    pass_id: i32,
    province_code: &str,
    now: DateTime<Utc>,
) -> Result<Start, DbErr> {
    let txn = db.begin().await?;
    let locked = registration::Entity::update_many()
        .col_expr(
            registration::Column::LockedAt,
            Func::coalesce([Expr::col(registration::Column::LockedAt), Expr::value(now)]).into(),
        )
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .col_expr(registration::Column::HoldingsVersion, registration::raised_holdings_version())
        .filter(registration::Column::Id.eq(registration_id))
        .exec(&txn)
        .await?;
    if locked.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(Start::NothingToPay);
    }
    if let Some(open) = open_order_of(&txn, registration_id).await? {
        // While an order is open the subjects cannot change (journey.rs), so it still covers
        // exactly the unpaid ones.
        if open.expires_at > now {
            txn.commit().await?;
            return Ok(Start::Reused(open));
        }
        txn.rollback().await?;
        return Ok(Start::Expired(open));
    }
    let unpaid = enrolment::Entity::find()
        .filter(enrolment::Column::RegistrationId.eq(registration_id))
        .filter(enrolment::Column::PaidAt.is_null())
        .order_by_asc(enrolment::Column::Id)
        .all(&txn)
        .await?;
    let Some(deadline) = unpaid.iter().map(|e| e.chosen_at + UNPAID_HOLD).min() else {
        txn.rollback().await?;
        return Ok(Start::NothingToPay);
    };
    if deadline <= now {
        txn.rollback().await?;
        return Ok(Start::TooLate);
    }
    let amount: i64 = unpaid.iter().map(|e| e.fee_fen).sum();
    let mut order = None;
    for _ in 0..8 {
        let row = payment_order::ActiveModel {
            order_no: Set(order_number(province_code, now)),
            registration_id: Set(registration_id),
            pass_id: Set(pass_id),
            status: Set(OrderStatus::Open),
            amount_fen: Set(amount),
            created_at: Set(now),
            expires_at: Set(std::cmp::max(deadline, now + PAY_GRACE)),
            ..Default::default()
        };
        let inserted = payment_order::Entity::insert(row)
            .on_conflict(OnConflict::column(payment_order::Column::OrderNo).do_nothing().to_owned())
            .exec_with_returning(&txn)
            .await;
        match inserted {
            Ok(model) => {
                order = Some(model);
                break;
            }
            Err(DbErr::RecordNotInserted) => continue,
            Err(e) => return Err(e),
        }
    }
    let order = order.ok_or_else(|| DbErr::Custom("no free order number after 8 draws".into()))?;
    order_item::Entity::insert_many(unpaid.iter().map(|e| order_item::ActiveModel {
        order_id: Set(order.id),
        enrolment_id: Set(e.id),
        offered_subject_id: Set(e.offered_subject_id),
        subject_code: Set(e.subject_code.clone()),
        fee_fen: Set(e.fee_fen),
    }))
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(Start::Created(order))
}

/// Records a payment the platform reported (already verified) and applies it to its order,
/// exactly once: the platform trade number is a unique key, so the same trade reported
/// again (any number of times, at once or a day later) finds itself recorded and changes
/// nothing; and an order goes from open to paid once.
pub async fn apply(db: &DatabaseConnection, paid: &Paid, source: &str, now: DateTime<Utc>) -> Result<Applied, DbErr> {
    let Some(order) =
        payment_order::Entity::find().filter(payment_order::Column::OrderNo.eq(&paid.order_no)).one(db).await?
    else {
        return Ok(Applied::UnknownOrder);
    };
    if paid.amount_fen != order.amount_fen {
        return Ok(Applied::WrongAmount);
    }
    let txn = db.begin().await?;
    take_registration(&txn, order.registration_id, now).await?;
    let order = payment_order::Entity::find_by_id(order.id)
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::Custom("an order vanished".into()))?;
    let refund_reason = match order.status {
        OrderStatus::Open => None,
        OrderStatus::Paid => Some(RefundReason::AlreadyPaid),
        OrderStatus::Closed => Some(RefundReason::OrderClosed),
    };
    let recorded = payment::Entity::insert(payment::ActiveModel {
        trade_no: Set(paid.trade_no.clone()),
        order_no: Set(paid.order_no.clone()),
        order_id: Set(Some(order.id)),
        amount_fen: Set(paid.amount_fen),
        method: Set(paid.method.clone()),
        platform_paid_at: Set(paid.paid_at.clone()),
        received_at: Set(now),
        source: Set(source.into()),
        outcome: Set(if refund_reason.is_some() { Outcome::RefundDue } else { Outcome::Applied }),
        refund_reason: Set(refund_reason),
        ..Default::default()
    })
    .on_conflict(OnConflict::column(payment::Column::TradeNo).do_nothing().to_owned())
    .exec_without_returning(&txn)
    .await?;
    if recorded == 0 {
        txn.rollback().await?;
        return Ok(Applied::AlreadyRecorded);
    }
    if let Some(reason) = refund_reason {
        txn.commit().await?;
        return Ok(Applied::RefundDue { reason });
    }
    let marked = payment_order::Entity::update_many()
        .col_expr(payment_order::Column::Status, Expr::value(OrderStatus::Paid))
        .col_expr(payment_order::Column::PaidAt, Expr::value(now))
        .col_expr(payment_order::Column::TradeNo, Expr::value(paid.trade_no.clone()))
        .col_expr(payment_order::Column::Method, Expr::value(paid.method.clone()))
        .filter(payment_order::Column::Id.eq(order.id))
        .filter(payment_order::Column::Status.eq(OrderStatus::Open))
        .exec(&txn)
        .await?;
    if marked.rows_affected != 1 {
        return Err(DbErr::Custom("an open order changed under the registration's lock".into()));
    }
    let items = order_item::Entity::find().filter(order_item::Column::OrderId.eq(order.id)).all(&txn).await?;
    enrolment::Entity::update_many()
        .col_expr(enrolment::Column::PaidAt, Expr::value(now))
        .filter(enrolment::Column::Id.is_in(items.iter().map(|i| i.enrolment_id)))
        .filter(enrolment::Column::PaidAt.is_null())
        .exec(&txn)
        .await?;
    let site = registration::Entity::find_by_id(order.registration_id).one(&txn).await?.and_then(|r| r.site_code);
    let codes: Vec<&str> = items.iter().map(|i| i.subject_code.as_str()).collect();
    let entry = audit::Entry::new(
        audit::Actor::System,
        AuditKind::PaymentApplied,
        site.as_deref(),
        order.registration_id.to_string(),
    )
    .created(&serde_json::json!({
        "order": order.order_no,
        "amount": crate::validation::subjects::yuan(order.amount_fen),
        "subjects": codes,
        "source": source,
    }));
    audit::record(&txn, now, vec![entry]).await?;
    txn.commit().await?;
    let order = payment_order::Model {
        status: OrderStatus::Paid,
        paid_at: Some(now),
        trade_no: Some(paid.trade_no.clone()),
        method: Some(paid.method.clone()),
        ..order
    };
    Ok(Applied::Paid(order))
}

/// Closes an open order here, once the platform has said it cannot be paid any more. With
/// nothing paid (and no approved review holding it), the registration is unlocked again: the candidate may change it, pay
/// again, and the sweeper may release subjects past their 24 hours. `false`: it was not
/// open (already paid or closed).
pub async fn close(db: &DatabaseConnection, order: &payment_order::Model, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    take_registration(&txn, order.registration_id, now).await?;
    let closed = payment_order::Entity::update_many()
        .col_expr(payment_order::Column::Status, Expr::value(OrderStatus::Closed))
        .col_expr(payment_order::Column::ClosedAt, Expr::value(now))
        .filter(payment_order::Column::Id.eq(order.id))
        .filter(payment_order::Column::Status.eq(OrderStatus::Open))
        .exec(&txn)
        .await?;
    if closed.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(false);
    }
    let paid = enrolment::Entity::find()
        .filter(enrolment::Column::RegistrationId.eq(order.registration_id))
        .filter(enrolment::Column::PaidAt.is_not_null())
        .one(&txn)
        .await?;
    if paid.is_none() {
        // An approved registration stays locked: what the site approved is what is paid.
        registration::Entity::update_many()
            .col_expr(registration::Column::LockedAt, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(registration::Column::Id.eq(order.registration_id))
            .filter(
                Condition::any()
                    .add(registration::Column::ReviewState.is_null())
                    .add(registration::Column::ReviewState.ne(ReviewState::Approved)),
            )
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(true)
}

/// Notes that the platform was asked about an order now (reconciliation spaces its asks).
pub async fn checked(db: &DatabaseConnection, order_id: i32, now: DateTime<Utc>) -> Result<(), DbErr> {
    payment_order::Entity::update_many()
        .col_expr(payment_order::Column::LastCheckedAt, Expr::value(now))
        .filter(payment_order::Column::Id.eq(order_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Open orders due a question to the platform: made more than `age` ago and not asked
/// within `age`, or past their time.
pub async fn due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    age: Duration,
    limit: u64,
) -> Result<Vec<payment_order::Model>, DbErr> {
    use sea_orm::{Condition, QuerySelect};
    let before = now - age;
    payment_order::Entity::find()
        .filter(payment_order::Column::Status.eq(OrderStatus::Open))
        .filter(
            Condition::any().add(payment_order::Column::ExpiresAt.lte(now)).add(
                Condition::all().add(payment_order::Column::CreatedAt.lte(before)).add(
                    Condition::any()
                        .add(payment_order::Column::LastCheckedAt.is_null())
                        .add(payment_order::Column::LastCheckedAt.lte(before)),
                ),
            ),
        )
        .order_by_asc(payment_order::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The registration's orders, newest first, and the subject codes of each.
pub async fn orders_of(
    db: &impl ConnectionTrait,
    registration_id: i32,
) -> Result<Vec<(payment_order::Model, Vec<order_item::Model>)>, DbErr> {
    let orders = payment_order::Entity::find()
        .filter(payment_order::Column::RegistrationId.eq(registration_id))
        .order_by_desc(payment_order::Column::Id)
        .all(db)
        .await?;
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let mut items = order_item::Entity::find()
        .filter(order_item::Column::OrderId.is_in(orders.iter().map(|o| o.id)))
        .order_by_asc(order_item::Column::EnrolmentId)
        .all(db)
        .await?;
    Ok(orders
        .into_iter()
        .map(|o| {
            let mine = items.extract_if(.., |i| i.order_id == o.id).collect();
            (o, mine)
        })
        .collect())
}

/// Payments owed back for the registration's orders.
pub async fn refunds_of(db: &impl ConnectionTrait, registration_id: i32) -> Result<Vec<payment::Model>, DbErr> {
    use sea_orm::sea_query::Query;
    let orders = Query::select()
        .column(payment_order::Column::Id)
        .from(payment_order::Entity)
        .and_where(Expr::col(payment_order::Column::RegistrationId).eq(registration_id))
        .to_owned();
    payment::Entity::find()
        .filter(payment::Column::Outcome.eq(Outcome::RefundDue))
        .filter(payment::Column::OrderId.in_subquery(orders))
        .order_by_asc(payment::Column::Id)
        .all(db)
        .await
}
