//! QR codes as crisp SVG, with `qrcode-generator`.

use leptos::prelude::*;
use qrcode_generator::qr::{Encoder, ErrorCorrection};
use qrcode_generator::Renderer;

/// Rendered size; the SVG scales to its box through its `viewBox`.
const SIZE: usize = 512;

/// The SVG markup for `text`, quiet zone included, or None if it cannot be encoded.
pub fn svg(text: &str) -> Option<String> {
    let symbol = Encoder::new(ErrorCorrection::Medium)
        .encode_text(text)
        .ok()?;
    let svg = Renderer::new(&symbol, SIZE)
        .to_svg_string(None::<&str>)
        .ok()?;
    // The renderer sets a fixed width and height; a viewBox lets CSS size it instead
    // of cropping it.
    let fixed = format!("<svg width=\"{SIZE}\" height=\"{SIZE}\"");
    Some(svg.replacen(&fixed, &format!("<svg viewBox=\"0 0 {SIZE} {SIZE}\""), 1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn scales_with_its_box() {
        let svg = super::svg("http://127.0.0.1:8787/order/?token=V1StGXR8_Z").unwrap();
        assert!(svg.contains("viewBox=\"0 0 512 512\""), "{}", &svg[..200]);
        assert!(!svg.contains("width=\"512\" height=\"512\" shape"));
    }
}

/// A QR code that scales with its box.
#[component]
pub fn QrCode(
    #[prop(into)] text: Signal<String>,
    #[prop(into)] label: Signal<String>,
) -> impl IntoView {
    let markup = Memo::new(move |_| svg(&text.get()).unwrap_or_default());
    view! { <div class="qr" role="img" aria-label=label inner_html=move || markup.get()></div> }
}
