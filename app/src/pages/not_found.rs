use crate::urls;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="页面不存在" />
        <h1>"页面不存在"</h1>
        <p>"您要找的页面不存在，可能是地址输入有误。"</p>
        <p>
            <a href=urls::HOME>"返回首页"</a>
        </p>
    }
}
