//! The editors' pages and their JSON twins: off without a token, every route refused without a
//! session (401 as a page or JSON), forms refused without the session's CSRF token (403), and
//! the session cookie's flags.

use serde_json::json;

use crate::helpers::{Options, Reply, TestApp, spawn_app_with};

const TOKEN: &str = "editors-token-0123456789";

async fn app() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = piyao::store::Location::Sqlite(dir.path().join("piyao.db"));
    (spawn_app_with(Options { database: Some(db), admin_token: Some(TOKEN), ..Options::default() }).await, dir)
}

/// The `name=value` of a `Set-Cookie` header.
fn cookie_pair(r: &Reply, name: &str) -> String {
    r.headers
        .iter()
        .filter(|(n, _)| n == "set-cookie")
        .map(|(_, v)| v)
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie: {:?}", r.headers))
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.split(&marker).nth(1).unwrap_or_else(|| panic!("no {name} field")).split('"').next().unwrap().to_string()
}

async fn post_form_with_cookie(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> Reply {
    crate::helpers::finish_form(app, path, cookie, fields).await
}

/// Sign in through the login form: the session cookie and the page's CSRF token.
pub async fn login(app: &TestApp) -> (String, String) {
    let form = app.get("/admin/login").await;
    assert_eq!(form.status, 200);
    let login_cookie = cookie_pair(&form, "piyao_login");
    let r = post_form_with_cookie(app, "/admin/login", &login_cookie, &[("token", TOKEN), ("csrf", &hidden(&form.text(), "csrf"))]).await;
    assert_eq!((r.status, r.header("location")), (303, Some("/admin")), "{}", r.text());
    let set = r.headers.iter().find(|(n, v)| n == "set-cookie" && v.starts_with("piyao_admin=")).unwrap().1.clone();
    assert!(set.contains("; HttpOnly") && set.contains("; SameSite=Strict") && set.contains("; Path=/"), "{set}");
    let session = cookie_pair(&r, "piyao_admin");
    let queue = app.get_with("/admin", ("cookie", &session)).await;
    assert_eq!(queue.status, 200, "{}", queue.text());
    (session, hidden(&queue.text(), "csrf"))
}

#[actix_web::test]
async fn admin_is_off_without_a_token() {
    let app = spawn_app_with(Options::default()).await;
    for path in ["/admin", "/admin/login", "/admin/clusters/1", "/admin/feedback"] {
        let r = app.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(r.text().contains("admin_off"), "{path}");
    }
    let r = app.get("/api/v1/admin/clusters").await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "admin_off"));
}

#[actix_web::test]
async fn every_admin_route_refuses_without_a_session_and_forms_need_the_csrf_token() {
    let (app, _dir) = app().await;
    app.check("明天起本市全城停水三天，请大家赶紧储水，转发给亲友").await;
    // pages: 401 with a way to sign in
    for path in ["/admin", "/admin/clusters/1", "/admin/clusters/1/draft.toml", "/admin/feedback", "/admin/anything"] {
        let r = app.get(path).await;
        assert_eq!(r.status, 401, "{path}");
        assert!(r.content_type.starts_with("text/html") && r.text().contains("/admin/login"), "{path}");
    }
    for path in ["/admin/clusters/1/status", "/admin/logout"] {
        let r = app.post_form(path, &[("action", "ignore"), ("csrf", "x")]).await;
        assert_eq!(r.status, 401, "{path}");
    }
    // a forged session cookie is no session
    let r = app.get_with("/admin", ("cookie", "piyao_admin=99999999999.00.00")).await;
    assert_eq!(r.status, 401);
    // API: 401 JSON without credentials, 403 with a wrong token
    for path in ["/api/v1/admin/clusters", "/api/v1/admin/clusters/1"] {
        let r = app.get(path).await;
        assert_eq!((r.status, r.error_code().as_str()), (401, "login_required"), "{path}");
        let r = app.get_with(path, ("authorization", "Bearer wrong-token-wrong-token")).await;
        assert_eq!((r.status, r.error_code().as_str()), (403, "invalid_admin_token"), "{path}");
    }
    let r = app.post_json("/api/v1/admin/clusters/1/status", &json!({"status": "ignored"})).await;
    assert_eq!((r.status, r.error_code().as_str()), (401, "login_required"));
    // login: a wrong token, and a login form posted without its cookie
    let form = app.get("/admin/login").await;
    let login_cookie = cookie_pair(&form, "piyao_login");
    let csrf = hidden(&form.text(), "csrf");
    let r = post_form_with_cookie(&app, "/admin/login", &login_cookie, &[("token", "not-the-token-at-all"), ("csrf", &csrf)]).await;
    assert_eq!(r.status, 403);
    assert!(!r.headers.iter().any(|(n, v)| n == "set-cookie" && v.starts_with("piyao_admin=")));
    let r = app.post_form("/admin/login", &[("token", TOKEN), ("csrf", &csrf)]).await;
    assert_eq!(r.status, 403, "a login form from elsewhere (no login cookie) is refused");
    assert!(r.text().contains("invalid_csrf_token"));

    // signed in: forms without the CSRF token are refused, with it they work
    let (session, csrf) = login(&app).await;
    let r = post_form_with_cookie(&app, "/admin/clusters/1/status", &session, &[("action", "ignore")]).await;
    assert_eq!(r.status, 403);
    let r = post_form_with_cookie(&app, "/admin/clusters/1/status", &session, &[("action", "ignore"), ("csrf", "00ff")]).await;
    assert_eq!(r.status, 403);
    let r = post_form_with_cookie(&app, "/admin/clusters/1/status", &session, &[("action", "ignore"), ("csrf", &csrf)]).await;
    assert_eq!((r.status, r.header("location")), (303, Some("/admin/clusters/1")));
    let ignored = app.get_with("/api/v1/admin/clusters?status=ignored", ("authorization", &format!("Bearer {TOKEN}"))).await.json();
    assert_eq!(ignored["clusters"][0]["id"], 1);
    let r = app.get_with("/api/v1/admin/clusters?sort=loudest", ("authorization", &format!("Bearer {TOKEN}"))).await;
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_query"));
    // the API with the session cookie reads; writes need X-CSRF-Token
    let r = app.get_with("/api/v1/admin/clusters/1", ("cookie", &session)).await;
    assert_eq!(r.status, 200);
    let r = app.post_json_with("/api/v1/admin/clusters/1/status", &json!({"status": "open"}), &[("cookie", &session)]).await;
    assert_eq!((r.status, r.error_code().as_str()), (403, "invalid_csrf_token"));
    let r = app
        .post_json_with("/api/v1/admin/clusters/1/status", &json!({"status": "open"}), &[("cookie", &session), ("x-csrf-token", &csrf)])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "open");
    let r = app.get_with("/admin/clusters/999", ("cookie", &session)).await;
    assert_eq!(r.status, 404);
    // logout ends the session in the browser
    let r = post_form_with_cookie(&app, "/admin/logout", &session, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, 303);
    assert!(r.headers.iter().any(|(n, v)| n == "set-cookie" && v.starts_with("piyao_admin=;") && v.contains("Max-Age=0")));
}
