//! Error pages in every shape people paste them, read field by field.

use err521::parse::error_page::{parse, ErrorPage, StatusBox};
use err521::text::lines;

fn read(name: &str) -> ErrorPage {
    let path = format!(
        "{}/tests/fixtures/error-page/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(!text.is_empty(), "fixture {path} missing");
    parse(name, &lines(&text)).unwrap_or_default()
}

#[test]
fn modern_html_521_page() {
    let p = read("modern-521-shop.html");
    assert_eq!(p.code, Some(521));
    assert_eq!(p.title.as_deref(), Some("Web server is down"));
    assert_eq!(p.ray_id.as_deref(), Some("8e2f4a91c03b7d15"));
    assert_eq!(p.host.as_deref(), Some("shop.example.net"));
    assert_eq!(p.location.as_deref(), Some("Frankfurt"));
    assert_eq!(p.time.as_deref(), Some("2026-11-20 09:14:03 UTC"));
    assert_eq!(p.visitor_ip.as_deref(), Some("203.0.113.77"));
    assert_eq!(p.failing_box, Some(StatusBox::Host));
    assert_eq!(p.boxes.len(), 3);
    // The title line is quoted as evidence, with its real line number.
    assert!(p
        .evidence
        .iter()
        .any(|e| e.line == 8 && e.text.contains("521: Web server is down")));
}

#[test]
fn modern_html_neighbours_keep_their_codes() {
    let p = read("modern-522-blog.html");
    assert_eq!(
        (p.code, p.title.as_deref()),
        (Some(522), Some("Connection timed out"))
    );
    assert_eq!(p.location.as_deref(), Some("Amsterdam"));
    let p = read("modern-525-api.html");
    assert_eq!(p.code, Some(525));
    assert_eq!(p.visitor_ip.as_deref(), Some("2001:db8:4::12"));
}

#[test]
fn legacy_layout_inside_raw_http_response() {
    let p = read("legacy-521-curl-i.txt");
    assert_eq!(p.code, Some(521));
    assert_eq!(p.ray_id.as_deref(), Some("1f9c3a0b7e2d4c58"));
    assert_eq!(p.colo.as_deref(), Some("CDG"));
    assert_eq!(p.location.as_deref(), Some("Paris"));
    assert_eq!(p.host.as_deref(), Some("shop.example.net"));
    assert_eq!(p.time.as_deref(), Some("2019-06-03 11:22:33 UTC"));
    assert_eq!(p.visitor_ip.as_deref(), Some("192.0.2.45"));
    assert_eq!(p.failing_box, Some(StatusBox::Host));
}

#[test]
fn visible_text_copied_from_the_browser() {
    let p = read("visible-text-521.txt");
    assert_eq!(p.code, Some(521));
    assert_eq!(p.ray_id.as_deref(), Some("8e3c77d1a9f20b44"));
    assert_eq!(p.host.as_deref(), Some("www.example-store.com"));
    assert_eq!(p.location.as_deref(), Some("Dallas"));
    assert_eq!(p.visitor_ip.as_deref(), Some("198.51.100.201"));
    assert_eq!(p.time.as_deref(), Some("2026-11-24 08:01:59 UTC"));
    assert_eq!(p.failing_box, Some(StatusBox::Host));
}

#[test]
fn legacy_visible_text_523() {
    let p = read("visible-text-legacy-523.txt");
    assert_eq!(p.code, Some(523));
    assert_eq!(p.title.as_deref(), Some("Origin is unreachable"));
    assert_eq!(p.ray_id.as_deref(), Some("2a4f61c9d8e07b13"));
    assert_eq!(p.time.as_deref(), Some("2018-02-11 14:05:33 UTC"));
    assert_eq!(p.location.as_deref(), Some("Newark"));
    assert_eq!(p.host.as_deref(), Some("legacy.example.com"));
}

#[test]
fn curl_headers_alone_give_code_ray_and_colo() {
    let p = read("curl-v-521-headers.txt");
    assert_eq!(p.code, Some(521));
    assert_eq!(p.ray_id.as_deref(), Some("8e3d0f12ab34cd56"));
    assert_eq!(p.colo.as_deref(), Some("SJC"));
    assert_eq!(p.failing_box, None);
}

/// The code a whole paste gives, read through the splitter as the engine does.
fn case_code(text: &str) -> Option<u16> {
    let facts = err521::case::read_case(&[err521::parse::CaseInput::new("paste", text)]);
    facts.error_pages.iter().find_map(|p| p.code)
}

#[test]
fn response_headers_alone_are_an_error_page_for_every_52x() {
    for code in [520u16, 521, 522, 523, 524, 525, 526, 530] {
        let text = format!(
            "HTTP/2 {code}\ndate: Mon, 01 Jan 2024 10:00:00 GMT\ncontent-type: text/html\nserver: cloudflare\n"
        );
        assert_eq!(case_code(&text), Some(code), "{text}");
    }
    // A 200 from Cloudflare is no error page.
    assert_eq!(
        case_code("HTTP/2 200\ncontent-type: text/html\nserver: cloudflare\n"),
        None
    );
}

#[test]
fn status_line_quoted_in_a_log_message_gives_the_code() {
    let text = "fetch failed: unexpected reply HTTP/1.1 524 A Timeout Occurred\nServer: cloudflare\nCF-RAY: 8a1b2c3d4e5f6a7b-FRA\n";
    assert_eq!(case_code(text), Some(524));
    // Older reason phrases.
    assert_eq!(
        case_code("HTTP/1.1 522 Origin Connection Time-out\nServer: cloudflare\n"),
        Some(522)
    );
}

#[test]
fn page_fragments_give_the_code_for_every_52x() {
    for (code, title) in [
        (520, "Web server is returning an unknown error"),
        (522, "Connection timed out"),
        (523, "Origin is unreachable"),
        (524, "A timeout occurred"),
        (525, "SSL handshake failed"),
        (526, "Invalid SSL certificate"),
    ] {
        let html = format!("<title>shop.example.net | {code}: {title}</title>\n");
        assert_eq!(case_code(&html), Some(code), "{html}");
        let copied = format!("Error {code}\n{title}\n");
        assert_eq!(case_code(&copied), Some(code), "{copied}");
    }
    // A title of another site with a number is not a Cloudflare page.
    assert_eq!(case_code("<title>Notes | 524: my diary</title>\n"), None);
}

#[test]
fn cloudflare_json_errors_docs_links_and_nginx_style_pages_give_the_code() {
    // Cloudflare's JSON error body, escaped inside a client's log.
    assert_eq!(
        case_code(
            r#"[{"error":"Error: 522 {\"title\":\"Error 522: Connection timed out\",\"error_code\":522,\"ray_id\":\"a33b33122e36ea89\",\"cloudflare_error\":true}"}]"#
        ),
        Some(522)
    );
    // An escaped fragment whose only code is the page's documentation link.
    assert_eq!(
        case_code(
            r#"<p><span>The origin web server timed out.</span> <a href=\"https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/error-524/\">More</a></p>\n  </div>\n <div class=\"cf-error-footer cf-wrapper\">"#
        ),
        Some(524)
    );
    // The old nginx-style page.
    assert_eq!(
        case_code("525 Origin SSL Handshake Error\n------\ncloudflare-nginx\n"),
        Some(525)
    );
    // A 1xxx page copied from the browser, its code at the end of a sentence.
    assert_eq!(
        case_code("This appears within the tunnel link: Error 1033\nRay ID: 745139e7d1222df4 •\nArgo Tunnel error\n"),
        Some(1033)
    );
}

#[test]
fn another_status_counts_only_when_cloudflare_sent_it() {
    assert_eq!(
        case_code("$ curl -si https://app.example.net\nHTTP/2 502\ncontent-type: text/plain\nserver: cloudflare\ncf-ray: 9dcb32d71dc4b486-SIN\n\nerror code: 502\n"),
        Some(502)
    );
    // The origin's own 502, with no Cloudflare header, is no Cloudflare page.
    assert_eq!(
        case_code(
            "$ curl -si http://203.0.113.5\nHTTP/1.1 502 Bad Gateway\nServer: nginx/1.18.0\n"
        ),
        None
    );
}

#[test]
fn headers_printed_as_a_php_array_and_a_challenge_403() {
    let text = "    [cf-mitigated] => challenge\n    [NEL] => {\"success_fraction\":0,\"report_to\":\"cf-nel\",\"max_age\":604800}\n    [Server] => cloudflare\n    [CF-RAY] => 8485b5773a1b2c3d-FRA\n";
    assert_eq!(case_code(text), Some(403));
    let facts = err521::case::read_case(&[err521::case::CaseInput::new("paste", text)]);
    assert_eq!(
        facts.error_pages.first().and_then(|p| p.ray_id.clone()),
        Some("8485b5773a1b2c3d".to_string())
    );
}
