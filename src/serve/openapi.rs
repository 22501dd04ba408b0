//! The OpenAPI description of the API, generated from the handlers' annotations (utoipa),
//! served at `GET /v1/openapi.json` and committed as `docs/openapi.json` (a test keeps the
//! two equal; `scout serve --print-openapi > docs/openapi.json` regenerates the file).

use utoipa::OpenApi;

use super::error::{ErrorBody, ErrorDetail};
use super::{dashboard, events, handlers};

/// The API's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "scout serve",
        description = "Rankings, explanations and plans from a hot-reloading scout rule folder. Every answer carries the rule revision in `Scout-Revision`. When the server has a token, every route but the probes needs `Authorization: Bearer <token>`."
    ),
    paths(
        handlers::rank,
        handlers::explain,
        handlers::plan,
        handlers::brands,
        handlers::status,
        handlers::healthz,
        handlers::readyz,
        handlers::metrics,
        handlers::openapi,
        events::events,
        dashboard::dashboard,
        dashboard::page,
    ),
    components(schemas(ErrorBody, ErrorDetail))
)]
pub struct ApiDoc;

/// The document as pretty JSON, with a final newline.
pub fn document() -> String {
    let mut text = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
