//! 对账报告: one Beijing day's orders at the account's sites, each asked of the payment
//! platform now and compared with what we hold: paid here and there with the same amount and
//! trade number is in order; every other combination is listed as a difference in words
//! (paid here but not there, paid there but not applied here, amounts or trade numbers that
//! differ, the platform not reachable). It only reads: nothing here changes an order — the
//! platform's own notification or 向支付平台查询 does that, through `payment::settle`.

use super::search::visible;
use crate::server::call::Call;
use crate::server::clock::{beijing, to_beijing};
use crate::server::entity::payment::Outcome;
use crate::server::entity::payment_order::{self, OrderStatus};
use crate::server::entity::{payment, registration};
use crate::server::fault::Fault;
use crate::server::payment::gateway::Trade;
use crate::views::staff::{ReconcileDiff, ReconcilePage};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use futures_util::StreamExt;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// Questions to the platform in flight at once.
const AT_ONCE: usize = 8;

fn status_words(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Open => "待支付",
        OrderStatus::Paid => "已缴费",
        OrderStatus::Closed => "已关闭",
    }
}

pub async fn report(call: &Call, day: String) -> Result<ReconcilePage, Fault> {
    let who = call.staff().await?;
    let today = call.state.clock.now().with_timezone(&beijing()).date_naive();
    let date = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").unwrap_or(today);
    let start = beijing()
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| call.state.clock.now());
    let end = start + Duration::days(1);
    let db = call.state.db.read();
    let session = super::config::open_session_of(db, &who).await?;
    let regs = Query::select()
        .column(registration::Column::Id)
        .from(registration::Entity)
        .cond_where(visible(&who, session.id))
        .to_owned();
    let orders = payment_order::Entity::find()
        .filter(payment_order::Column::RegistrationId.in_subquery(regs))
        .filter(payment_order::Column::CreatedAt.gte(start))
        .filter(payment_order::Column::CreatedAt.lt(end))
        .order_by_asc(payment_order::Column::Id)
        .all(db)
        .await?;
    // Our applied payments of those orders: the trade number the platform gave.
    let applied: HashMap<i32, payment::Model> = payment::Entity::find()
        .filter(payment::Column::OrderId.is_in(orders.iter().map(|o| o.id)))
        .filter(payment::Column::Outcome.eq(Outcome::Applied))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| Some((p.order_id?, p)))
        .collect();
    let gateway = call.state.payments.gateway.clone();
    let answers: Vec<(payment_order::Model, Result<Trade, String>)> = futures_util::stream::iter(orders)
        .map(|o| {
            let gw = gateway.clone();
            async move {
                let asked = gw.query(&o.order_no).await.map_err(|e| e.to_string());
                (o, asked)
            }
        })
        .buffered(AT_ONCE)
        .collect()
        .await;
    let mut page = ReconcilePage { day: date.format("%Y-%m-%d").to_string(), ..ReconcilePage::default() };
    for (o, asked) in answers {
        let ours_paid = o.status == OrderStatus::Paid;
        if ours_paid {
            page.ours_paid += 1;
            page.ours_fen += o.amount_fen;
        }
        let problem = match &asked {
            Err(e) => {
                tracing::warn!(order = %o.order_no, error = %e, "reconciliation report: the platform was not reachable");
                page.unreachable += 1;
                Some("无法向支付平台查询（平台暂时不可用），请稍后再生成报告".to_owned())
            }
            Ok(Trade::Paid(p)) => {
                page.platform_paid += 1;
                page.platform_fen += p.amount_fen;
                let ours = applied.get(&o.id);
                if !ours_paid {
                    Some(format!(
                        "支付平台已收款（交易号 {}），我方订单{}：{}",
                        p.trade_no,
                        status_words(o.status),
                        if o.status == OrderStatus::Closed {
                            "款项应原路退还（见待退款）"
                        } else {
                            "可点“向支付平台查询”记为已缴费"
                        }
                    ))
                } else if p.amount_fen != o.amount_fen {
                    Some(format!("金额不一致：我方 {} 分，支付平台 {} 分", o.amount_fen, p.amount_fen))
                } else if ours.is_some_and(|x| x.trade_no != p.trade_no) {
                    Some(format!(
                        "交易号不一致：我方 {}，支付平台 {}",
                        ours.map(|x| x.trade_no.as_str()).unwrap_or_default(),
                        p.trade_no
                    ))
                } else {
                    None
                }
            }
            Ok(trade) if ours_paid => Some(format!(
                "我方已记为已缴费，支付平台查询结果为{}",
                match trade {
                    Trade::Waiting => "未支付",
                    Trade::Closed => "已关闭",
                    _ => "查无此订单",
                }
            )),
            Ok(_) => None,
        };
        match problem {
            Some(words) => page.differences.push(ReconcileDiff {
                order_no: o.order_no.clone(),
                ours: status_words(o.status).to_owned(),
                amount_fen: o.amount_fen,
                created: to_beijing(o.created_at),
                words,
            }),
            None => page.matched += 1,
        }
    }
    tracing::info!(staff = who.staff.id, day = %page.day, matched = page.matched, differences = page.differences.len(), "reconciliation report");
    Ok(page)
}
