//! 操作记录: the audit trail, newest first, filtered by site, person and kind with a plain
//! GET form (the filters are the page's query string, so a filtered view can be bookmarked
//! and works without JavaScript), 50 entries a page.

use super::config::BackToConsole;
use super::{filter_select, site_choices, Loading};
use crate::api::staff::get_staff_audit_page;
use crate::components::layout::DataTable;
use crate::components::layout::LoadProblem;
use crate::urls;
use crate::views::staff::{AuditActor, AuditKind, AuditPage, AuditQuery, AuditRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TITLE: &str = "操作记录";

pub fn kind_words(kind: AuditKind) -> &'static str {
    match kind {
        AuditKind::SessionUpdated => "修改考次设置",
        AuditKind::SiteCreated => "新增考点",
        AuditKind::SiteUpdated => "修改考点设置",
        AuditKind::SubjectAdded => "添加开考科目",
        AuditKind::SubjectUpdated => "修改开考科目",
        AuditKind::SubjectRemoved => "删除开考科目",
        AuditKind::NoticePublished => "发布通告",
        AuditKind::SubjectsChosen => "考生报考科目",
        AuditKind::SubjectsCancelled => "考生取消科目",
        AuditKind::PaymentApplied => "缴费到账",
        AuditKind::RegistrationDeleted => "考生删除报名信息",
        AuditKind::SeatsExpired => "超时未缴费，名额自动退回",
        AuditKind::StaffCreated => "新增工作人员账号",
        AuditKind::StaffDisabled => "停用工作人员账号",
        AuditKind::StaffEnabled => "启用工作人员账号",
        AuditKind::StaffUnlocked => "解除工作人员账号锁定",
        AuditKind::StaffLinkSent => "重发设置密码链接",
        AuditKind::RefundRecorded => "记录已退款",
        AuditKind::OrderQueried => "向支付平台查询订单",
        AuditKind::ReviewRequested => "考生申请审核",
        AuditKind::ReviewWithdrawn => "考生撤回审核申请",
        AuditKind::ReviewApproved => "审核通过",
        AuditKind::ReviewRejected => "审核退回",
        AuditKind::ExportDownloaded => "导出报名数据",
        AuditKind::RosterImported => "导入学籍库",
        AuditKind::RoomAdded => "添加机房",
        AuditKind::RoomRemoved => "删除机房",
        AuditKind::BatchAdded => "添加场次",
        AuditKind::BatchRemoved => "删除场次",
        AuditKind::Arranged => "编排考场",
        AuditKind::Rearranged => "重新编排全部考生",
        AuditKind::CheckedIn => "检录签到",
        AuditKind::PrintoutDownloaded => "下载打印材料",
    }
}

fn actor_words(kind: AuditActor) -> &'static str {
    match kind {
        AuditActor::Staff => "工作人员",
        AuditActor::Candidate => "考生",
        AuditActor::System => "系统",
    }
}

/// A recorded field's name in words; one this build does not know, as it is stored.
fn key_words(key: &str) -> &str {
    match key {
        "number" => "考次",
        "name" => "名称",
        "first_day" => "考试开始日期",
        "last_day" => "考试结束日期",
        "ticket_print" => "准考证打印开始时间",
        "opens" => "网上报名开始时间",
        "closes" => "网上报名结束时间",
        "max_subjects" => "最多可报考科目数",
        "self_print" => "允许自行打印准考证",
        "background" => "照片背景颜色",
        "needs_department" => "必须填写院系",
        "needs_student_no" => "必须填写学号",
        "needs_review" => "须经网上审核",
        "review" => "网上审核",
        "reasons" => "退回原因",
        "note" => "补充说明",
        "format" => "文件格式",
        "columns" => "导出的列",
        "filter" => "筛选条件",
        "full_numbers" => "证件号码",
        "rows" => "行数",
        "fee" => "报名费（元）",
        "capacity" => "容量",
        "title" => "标题",
        "body" => "正文",
        "published" => "发布时间",
        "subjects" => "科目",
        "amount" => "金额",
        "email" => "电子邮箱",
        "role" => "身份",
        "sites" => "考点",
        "status" => "账号状态",
        "refund" => "退款",
        "order" => "订单号",
        "result" => "查询结果",
        "printout" => "打印材料",
        "rooms" => "考场数",
        "candidates" => "考生人数",
        "via" => "核验方式",
        other => other,
    }
}

/// A recorded state in words: a staff account's (`status`), a refund's (`refund`), a
/// platform query's (`result`).
fn value_words(value: &str) -> &str {
    match value {
        "active" => "正常",
        "disabled" => "已停用",
        "locked" => "已锁定",
        "link-sent" => "已发送设置密码链接",
        "due" => "待退款",
        "refunded" => "已退款",
        "paid" => "已支付",
        "closed" => "已关闭（未付款）",
        "pending" => "仍待支付",
        "requested" => "待审核",
        "withdrawn" => "考生已撤回审核申请",
        "approved" => "审核通过",
        "rejected" => "审核未通过，已退回考生修改",
        other => other,
    }
}

/// `field: old → new` lines from the entry's recorded values.
fn changes(before: Option<&str>, after: Option<&str>) -> Vec<String> {
    let parse = |t: Option<&str>| -> serde_json::Map<String, serde_json::Value> {
        t.and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default()
    };
    let (before, after) = (parse(before), parse(after));
    let shown = |k: &str, v: &serde_json::Value| match v {
        serde_json::Value::String(s) if ["status", "refund", "result", "review"].contains(&k) => {
            value_words(s).to_owned()
        }
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .map(|k| (key_words(k), k))
        .map(|(label, k)| match (before.get(k), after.get(k)) {
            (Some(b), Some(a)) => format!("{label}：{} → {}", shown(k, b), shown(k, a)),
            (Some(b), None) => format!("{label}：{}（删除）", shown(k, b)),
            (None, Some(a)) => format!("{label}：{}", shown(k, a)),
            (None, None) => String::new(),
        })
        .collect()
}

#[component]
pub fn StaffAuditPage() -> impl IntoView {
    let q = use_query_map();
    let query = q.with_untracked(|q| AuditQuery {
        site: q.get("site").unwrap_or_default(),
        actor: q.get("actor").unwrap_or_default(),
        kind: q.get("kind").unwrap_or_default(),
        before: q.get("before").and_then(|b| b.parse().ok()),
    });
    view! {
        <Title text=TITLE />
        <Suspense fallback=Loading>
            {move || {
                let query = query.clone();
                Suspend::new(async move {
                    match get_staff_audit_page(query).await {
                        Ok(page) => view! { <Trail page /> }.into_any(),
                        Err(error) => view! { <BackToConsole /><h1>{TITLE}</h1><LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

pub(super) fn row_view(r: AuditRow) -> impl IntoView {
    let what = r.kind.map_or("（未知操作）", kind_words);
    let lines =
        changes(r.before.as_deref(), r.after.as_deref()).into_iter().map(|l| view! { <li>{l}</li> }).collect_view();
    view! {
        <tr data-testid="audit-row" data-kind=r.kind.map(AuditKind::code)>
            <td>{r.at.to_string()}</td>
            <td>{format!("{}：{}", actor_words(r.actor_kind), r.actor)}</td>
            <td>{r.address.unwrap_or_default()}</td>
            <td>{what}</td>
            <td>{r.target}</td>
            <td><ul class="audit-changes">{lines}</ul></td>
        </tr>
    }
}

#[component]
fn Trail(page: AuditPage) -> impl IntoView {
    let query = page.query.clone();
    let older = page.older.map(|before| {
        let before = before.to_string();
        let pairs =
            [("before", before.as_str()), ("site", &query.site), ("actor", &query.actor), ("kind", &query.kind)];
        view! { <p><a href=urls::with_query(urls::STAFF_AUDIT, &pairs)>"更早的记录"</a></p> }
    });
    let kinds = AuditKind::ALL.into_iter().map(|k| (k.code().to_owned(), kind_words(k).to_owned())).collect();
    let empty = page.rows.is_empty();
    let rows = page.rows.into_iter().map(row_view).collect_view();
    view! {
        <BackToConsole />
        <h1>{TITLE}</h1>
        <form method="get" action=urls::STAFF_AUDIT class="filters" data-testid="audit-filters">
            {filter_select("site", "考点", site_choices(&page.sites), &query.site)}
            <div class="field">
                <label class="field__label" for="actor">"操作人（工作人员邮箱或考生报名号）"</label>
                <input class="field__input" id="actor" name="actor" value=query.actor.clone() maxlength="254" />
            </div>
            {filter_select("kind", "操作", kinds, &query.kind)}
            <button class="button button--secondary" type="submit">"筛选"</button>
        </form>
        {empty.then(|| view! { <p>"没有符合条件的记录。"</p> })}
        <DataTable testid="audit-table" headers=&["时间（北京时间）", "操作人", "地址", "操作", "对象", "内容（原值 → 新值）"]>{rows}</DataTable>
        {older}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_old_to_new() {
        let lines = changes(Some(r#"{"fee":"80","capacity":100}"#), Some(r#"{"fee":"90","capacity":100,"x":true}"#));
        assert_eq!(lines, ["容量：100 → 100", "报名费（元）：80 → 90", "x：true"]);
        assert_eq!(changes(None, Some(r#"{"name":"考点"}"#)), ["名称：考点"]);
        assert_eq!(changes(Some(r#"{"fee":"80"}"#), None), ["报名费（元）：80（删除）"]);
        assert!(changes(Some("not json"), None).is_empty());
        assert_eq!(urls::percent_encode("a@b.cn 考"), "a@b.cn%20%E8%80%83");
    }
}
