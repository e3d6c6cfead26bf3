//! Page frame: header with the service name, footer.

use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main-content" rel="external">
            "跳到主要内容"
        </a>
        <header class="site-header">
            <div class="container">
                <a class="site-header__name" href="/">
                    "全国计算机等级考试（NCRE）报名系统"
                </a>
            </div>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="container">
                <p>"考生信息仅用于考试组织工作。报名遇到问题请联系所在考点。"</p>
            </div>
        </footer>
    }
}

/// A failure that is not about one field, in plain words.
#[component]
pub fn ProblemBanner(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! {
                <div class="problem-banner" role="alert">
                    <p>{m}</p>
                </div>
            }
        })
    }
}
