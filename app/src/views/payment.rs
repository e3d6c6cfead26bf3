//! 缴费 (REGISTRATION.md screens 8 and 9, rules 4, 5, 10, 11): the payment confirmation, the
//! payment result, and 更新. The words saying where the money is are made in one place
//! (`money_words`) for the result page and the status page alike.

use super::home::PassBrief;
use super::journey::SubjectLine;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderState {
    /// Waiting for the platform: not paid yet, or paid and not yet confirmed to us.
    Pending,
    Paid,
    /// Closed unpaid: no money was taken.
    Closed,
}

/// One order as the candidate sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub order_no: String,
    /// `¥80.00`
    pub amount: String,
    pub state: OrderState,
    /// `(65)MS Office高级应用与设计` …
    pub subjects: Vec<String>,
    /// Beijing time, `2025-01-06 11:05`.
    pub created: String,
    /// When an unpaid order is closed.
    pub pay_by: String,
    /// `支付宝` once paid.
    pub method: Option<String>,
    pub paid_at: Option<String>,
}

/// Money received for an order that was closed or already paid: owed back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundView {
    pub order_no: String,
    pub amount: String,
    pub method: String,
    pub received: String,
}

/// 缴费确认 (screen 8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayPage {
    pub identity: PassBrief,
    pub site: String,
    /// The unpaid subjects this payment covers.
    pub lines: Vec<SubjectLine>,
    /// `¥80.00`
    pub total: String,
    /// The earliest deadline of those subjects (Beijing time).
    pub deadline: Option<String>,
    /// The order already open for them, if any (paying again continues it).
    pub open_order: Option<OrderView>,
    /// Why paying is not possible now, in words.
    pub blocked: Option<String>,
}

/// 缴费结果: every order of the registration and the money owed back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentPage {
    pub orders: Vec<OrderView>,
    pub refunds: Vec<RefundView>,
    /// Where the money is, in plain words, one sentence per order or refund.
    pub words: Vec<String>,
    /// An order is waiting for the platform (the page offers 更新 and checks again).
    pub pending: bool,
}

/// Where the money is, in plain words: one sentence per order (newest first) and per refund.
pub fn money_words(orders: &[OrderView], refunds: &[RefundView]) -> Vec<String> {
    let mut out = Vec::new();
    if orders.is_empty() && refunds.is_empty() {
        out.push("您还没有缴费。".to_owned());
    }
    for o in orders {
        out.push(match o.state {
            OrderState::Paid => format!(
                "已缴费：订单 {} 的 {} 已于 {} 通过{}支付成功，所含科目已确认报考。",
                o.order_no,
                o.amount,
                o.paid_at.as_deref().unwrap_or(""),
                o.method.as_deref().unwrap_or("支付平台")
            ),
            OrderState::Pending => format!(
                "处理中：订单 {}（{}）正在等待支付平台确认。如果您已经付款，请不要重复支付，系统会自动向支付平台查询确认，\
                 也可以点击“更新”立即查询；如果还没有付款，请在 {} 前完成支付，逾期订单关闭，不会扣款。",
                o.order_no, o.amount, o.pay_by
            ),
            OrderState::Closed => format!("订单 {}（{}）已关闭，没有扣款。", o.order_no, o.amount),
        });
    }
    for r in refunds {
        out.push(format!(
            "待退款：我们于 {} 收到了订单 {} 的付款 {}（{}），但这笔订单当时已关闭或已支付，款项不会用于报名，将原路退还给您，无需您申请。",
            r.received, r.order_no, r.amount, r.method
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(state: OrderState) -> OrderView {
        OrderView {
            order_no: "NCRE_65-2025010611-8060053629".into(),
            amount: "¥80.00".into(),
            state,
            subjects: vec!["(65)MS Office高级应用与设计".into()],
            created: "2025-01-06 11:05".into(),
            pay_by: "2025-01-07 11:00".into(),
            method: (state == OrderState::Paid).then(|| "支付宝".into()),
            paid_at: (state == OrderState::Paid).then(|| "2025-01-06 11:07".into()),
        }
    }

    #[test]
    fn each_state_of_the_money_is_said_plainly() {
        assert_eq!(money_words(&[], &[]), ["您还没有缴费。"]);
        let paid = money_words(&[order(OrderState::Paid)], &[]);
        assert!(paid[0].starts_with("已缴费") && paid[0].contains("支付宝") && paid[0].contains("¥80.00"));
        let pending = money_words(&[order(OrderState::Pending)], &[]);
        assert!(pending[0].contains("请不要重复支付") && pending[0].contains("2025-01-07 11:00"));
        assert!(money_words(&[order(OrderState::Closed)], &[])[0].contains("没有扣款"));
        let refund = RefundView {
            order_no: "NCRE_65-2025010611-0000000001".into(),
            amount: "¥80.00".into(),
            method: "微信支付".into(),
            received: "2025-01-08 09:00".into(),
        };
        let words = money_words(&[order(OrderState::Closed)], &[refund]);
        assert!(words[1].starts_with("待退款") && words[1].contains("原路退还"));
    }
}
