//! `GET /metrics`: the server's counters in the Prometheus text format, for scraping. Reads
//! only; what it shows is kept by `LiveEngine` (checks), the request middleware (requests) and
//! the limits (refusals).

use actix_web::{HttpResponse, get, web};

use crate::metrics::{RequestStats, escape, single};
use crate::state::AppState;

/// The content type of the Prometheus text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[utoipa::path(get, path = "/metrics",
    responses((status = 200, description = "counters in the Prometheus text format: requests by route and status, \
        check latency, verdicts, the index served, refusals and reload failures", content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>, requests: web::Data<RequestStats>) -> HttpResponse {
    let mut out = String::with_capacity(4096);
    requests.render(&mut out);
    state.live.stats.render(&mut out);
    let engine = state.live.get();
    single(&mut out, "piyao_index_loaded", "gauge", "1 when an index is being served.", u8::from(engine.is_some()));
    if let Some(engine) = engine {
        let s = engine.stats();
        single(&mut out, "piyao_index_claims", "gauge", "Claims in the index served.", s.claims);
        single(&mut out, "piyao_index_variants", "gauge", "Rumor variants in the index served.", s.variants);
        out.push_str("# HELP piyao_index_info The index generation served.\n# TYPE piyao_index_info gauge\n");
        out.push_str(&format!("piyao_index_info{{generation=\"{}\"}} 1\n", escape(&s.generation)));
    }
    single(&mut out, "piyao_reload_failures_total", "counter", "Index generations that failed to load.", state.live.reload_failures());
    out.push_str("# HELP piyao_refused_total Checks refused, by reason.\n# TYPE piyao_refused_total counter\n");
    out.push_str(&format!("piyao_refused_total{{reason=\"rate_limited\"}} {}\n", state.limits.refused()));
    out.push_str(&format!("piyao_refused_total{{reason=\"busy\"}} {}\n", state.live.busy()));
    out.push_str(&format!("piyao_refused_total{{reason=\"ocr_busy\"}} {}\n", state.ocr.refused()));
    single(&mut out, "piyao_ocr_enabled", "gauge", "1 when pictures can be read (Tesseract found).", u8::from(state.ocr.status().enabled));
    let ocr = state.ocr.counts();
    out.push_str("# HELP piyao_ocr_pictures_total Pictures given to OCR, by outcome.\n# TYPE piyao_ocr_pictures_total counter\n");
    for (outcome, n) in [("read", ocr.read), ("unreadable", ocr.unreadable), ("failed", ocr.failed)] {
        out.push_str(&format!("piyao_ocr_pictures_total{{outcome=\"{outcome}\"}} {n}\n"));
    }
    single(&mut out, "piyao_ocr_seconds_total", "counter", "Time spent decoding and reading pictures.", format!("{:.6}", ocr.seconds));
    let rec = state.live.recorder.status();
    single(&mut out, "piyao_recording_enabled", "gauge", "1 when checks are recorded.", u8::from(rec.enabled));
    single(&mut out, "piyao_recorded_total", "counter", "Checks written to the database.", rec.written);
    single(&mut out, "piyao_record_dropped_total", "counter", "Checks not recorded because the writer was behind.", rec.dropped);
    single(&mut out, "piyao_record_failed_batches_total", "counter", "Batches of checks that failed to be written.", rec.failed_batches);
    HttpResponse::Ok().content_type(CONTENT_TYPE).body(out)
}
