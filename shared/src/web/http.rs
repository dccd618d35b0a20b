//! Sending [`ApiRequest`]s and [`CognitoCall`]s with `fetch`. A request is aborted when
//! its future is dropped (a component unmounted, a resource re-ran).

use crate::api::{ApiError, ApiRequest, Method};
use crate::cognito::{CognitoCall, CognitoError, CONTENT_TYPE};
use gloo_net::http::{Request, RequestBuilder};

struct AbortOnDrop(web_sys::AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn fetch(builder: RequestBuilder, body: Option<String>) -> Result<(u16, String), ApiError> {
    let abort = web_sys::AbortController::new().map_err(|_| ApiError::Network)?;
    let builder = builder.abort_signal(Some(&abort.signal()));
    let _abort_on_drop = AbortOnDrop(abort);
    let request = match body {
        Some(body) => builder.body(body),
        None => builder.build(),
    }
    .map_err(|_| ApiError::Network)?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    let status = response.status();
    let text = response.text().await.map_err(|_| ApiError::Network)?;
    Ok((status, text))
}

/// Sends a REST request; returns the status and body of any answer the browser may read.
pub async fn send(
    request: &ApiRequest,
    access_token: Option<&str>,
) -> Result<(u16, String), ApiError> {
    let mut builder = match request.method {
        Method::Get => Request::get(&request.url),
        Method::Put => Request::put(&request.url),
        Method::Post => Request::post(&request.url),
    };
    if request.signed {
        if let Some(token) = access_token {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
    }
    if request.body.is_some() {
        builder = builder.header("Content-Type", "application/json");
    }
    fetch(builder, request.body.clone()).await
}

/// Posts `body` of `content_type` to a device on the bar's network (a receipt printer),
/// with no credentials: the status and body of its answer.
pub async fn post_to_device(
    url: &str,
    content_type: &str,
    body: String,
) -> Result<(u16, String), ApiError> {
    let builder = Request::post(url)
        .header("Content-Type", content_type)
        .header("SOAPAction", "\"\"")
        .credentials(web_sys::RequestCredentials::Omit);
    fetch(builder, Some(body)).await
}

/// Sends a Cognito call: the body on 200, the service's error on 400.
pub async fn cognito(call: &CognitoCall) -> Result<Result<String, CognitoError>, ApiError> {
    let builder = Request::post(&call.url)
        .header("Content-Type", CONTENT_TYPE)
        .header("X-Amz-Target", &call.target);
    let (status, body) = fetch(builder, Some(call.body.to_string())).await?;
    Ok(match status {
        200 => Ok(body),
        400 => Err(CognitoError::parse(&body)),
        _ => return Err(ApiError::from_status(status, &body)),
    })
}

/// GETs a static file of this app (a catalogue): its text on 200.
pub async fn get_text(url: &str) -> Result<String, ApiError> {
    match fetch(Request::get(url), None).await? {
        (200, text) => Ok(text),
        (status, body) => Err(ApiError::from_status(status, &body)),
    }
}
