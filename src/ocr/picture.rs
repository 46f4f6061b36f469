//! An uploaded picture, checked before anything decodes it in full (size, format, pixel count:
//! no decompression bombs), then made easy for OCR: turned upright (EXIF), grey, and enlarged
//! when its text is likely small.

use std::io::Cursor;

use image::{AnimationDecoder, DynamicImage, GrayImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// Largest upload, in bytes.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// Largest picture, in pixels (width × height), checked from the header before decoding.
pub const MAX_PIXELS: u64 = 40_000_000;
/// Pictures narrower than this are enlarged twice: a phone screenshot at one pixel per point
/// (360–430 wide) has characters about 17 pixels high, and Tesseract reads them best at 20–40.
/// Wider screenshots are left alone: doubling text that is already 34 pixels high loses short
/// bubbles (measured with `piyao eval --images`).
const UPSCALE_BELOW_WIDTH: u32 = 600;

/// Why a picture cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the image is empty (0 bytes)")]
    Empty,
    #[error("the image has {bytes} bytes; at most {limit} are accepted")]
    TooLarge { bytes: usize, limit: usize },
    #[error("{0}: send a PNG, JPEG, WebP or GIF picture")]
    Unsupported(String),
    #[error("the image is {width}×{height} pixels; at most {} million pixels are accepted", MAX_PIXELS / 1_000_000)]
    TooManyPixels { width: u32, height: u32 },
    #[error("the GIF is animated: send a still screenshot or photo")]
    Animated,
    #[error("the image could not be decoded ({0}): it may be truncated or damaged")]
    Corrupt(String),
}

/// A checked, decoded picture in grey, upright, ready for OCR.
pub struct Picture {
    pub format: &'static str,
    /// Size as uploaded (after turning it upright).
    pub width: u32,
    pub height: u32,
    gray: GrayImage,
}

impl Picture {
    /// Check and decode an upload.
    pub fn parse(bytes: &[u8]) -> Result<Picture, ImageError> {
        let (img, format) = decode(bytes)?;
        let (width, height) = (img.width(), img.height());
        Ok(Picture { format, width, height, gray: for_ocr(img) })
    }

    /// The picture as binary PGM (what Tesseract reads fastest from standard input).
    pub fn to_pgm(&self) -> Vec<u8> {
        let (w, h) = self.gray.dimensions();
        let mut out = format!("P5\n{w} {h}\n255\n").into_bytes();
        out.extend_from_slice(self.gray.as_raw());
        out
    }

    /// Size of the image handed to OCR.
    pub fn ocr_size(&self) -> (u32, u32) {
        self.gray.dimensions()
    }
}

/// Check an upload (size, format, pixels read from the header, animation), then decode it and
/// turn it upright by its EXIF orientation; its format's name.
fn decode(bytes: &[u8]) -> Result<(DynamicImage, &'static str), ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ImageError::TooLarge { bytes: bytes.len(), limit: MAX_IMAGE_BYTES });
    }
    let format = image::guess_format(bytes).map_err(|_| ImageError::Unsupported(describe_unknown(bytes)))?;
    let name = match format {
        ImageFormat::Png => "png",
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::WebP => "webp",
        ImageFormat::Gif => "gif",
        other => return Err(ImageError::Unsupported(format!("the image is {other:?}"))),
    };
    let corrupt = |e: image::ImageError| ImageError::Corrupt(e.to_string());
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format).into_dimensions().map_err(corrupt)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooManyPixels { width, height });
    }
    if format == ImageFormat::Gif && is_animated(bytes)? {
        return Err(ImageError::Animated);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(width.max(1));
    limits.max_image_height = Some(height.max(1));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    img.apply_orientation(orientation);
    Ok((img, name))
}

/// Widest preview shown on the result page.
const PREVIEW_WIDTH: u32 = 720;
/// Pictures up to this size are shown as they are; larger ones as a smaller JPEG.
const PREVIEW_AS_IS_BYTES: usize = 300 * 1024;

/// The picture as the result page shows it: as uploaded when small, otherwise a JPEG at most
/// `PREVIEW_WIDTH` wide and upright (a 5 MB photo would make a page too heavy for a phone).
pub fn preview(bytes: &[u8]) -> Result<(Vec<u8>, &'static str), ImageError> {
    let format = image::guess_format(bytes).map_err(|_| ImageError::Unsupported(describe_unknown(bytes)))?;
    if bytes.len() <= PREVIEW_AS_IS_BYTES {
        return Ok((bytes.to_vec(), format.to_mime_type()));
    }
    let (mut img, _) = decode(bytes)?;
    if img.width() > PREVIEW_WIDTH {
        img = img.resize(PREVIEW_WIDTH, u32::MAX, image::imageops::FilterType::Triangle);
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75)
        .encode_image(&img.to_rgb8())
        .map_err(|e| ImageError::Corrupt(e.to_string()))?;
    Ok((out, "image/jpeg"))
}

/// Grey, and twice the size when narrow (unless that would pass the pixel limit).
fn for_ocr(img: DynamicImage) -> GrayImage {
    let gray = img.to_luma8();
    let (w, h) = gray.dimensions();
    if w < UPSCALE_BELOW_WIDTH && u64::from(w) * u64::from(h) * 4 <= MAX_PIXELS {
        image::imageops::resize(&gray, w * 2, h * 2, image::imageops::FilterType::Triangle)
    } else {
        gray
    }
}

/// Does the GIF have more than one frame? (Frames are bounded by the pixel check before.)
fn is_animated(bytes: &[u8]) -> Result<bool, ImageError> {
    let decoder = image::codecs::gif::GifDecoder::new(Cursor::new(bytes)).map_err(|e| ImageError::Corrupt(e.to_string()))?;
    let mut frames = decoder.into_frames();
    let first = frames.next();
    if let Some(Err(e)) = first {
        return Err(ImageError::Corrupt(e.to_string()));
    }
    Ok(frames.next().is_some())
}

/// What an unrecognised upload looks like, for the error message.
fn describe_unknown(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(512)];
    if std::str::from_utf8(head).is_ok_and(|s| !s.contains('\0')) {
        "the upload is text, not an image".to_string()
    } else {
        "the upload is not an image format we read".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        use image::ImageEncoder;
        use image::codecs::png::{CompressionType, FilterType, PngEncoder};
        let img = GrayImage::from_pixel(width, height, image::Luma([255]));
        let mut out = Vec::new();
        PngEncoder::new_with_quality(&mut out, CompressionType::Default, FilterType::NoFilter)
            .write_image(img.as_raw(), width, height, image::ExtendedColorType::L8)
            .unwrap();
        out
    }

    #[test]
    fn a_small_png_is_read_and_enlarged() {
        let p = Picture::parse(&png(300, 200)).unwrap();
        assert_eq!((p.format, p.width, p.height), ("png", 300, 200));
        assert_eq!(p.ocr_size(), (600, 400));
        assert!(p.to_pgm().starts_with(b"P5\n600 400\n255\n"));
        assert_eq!(Picture::parse(&png(780, 400)).unwrap().ocr_size(), (780, 400));
    }

    #[test]
    fn bad_uploads_are_named() {
        assert_eq!(Picture::parse(b"").err(), Some(ImageError::Empty));
        assert!(matches!(Picture::parse("这不是图片".as_bytes()), Err(ImageError::Unsupported(m)) if m.contains("text")));
        let mut cut = png(300, 200);
        cut.truncate(cut.len() / 2);
        assert!(matches!(Picture::parse(&cut), Err(ImageError::Corrupt(_))));
        let big = vec![0u8; MAX_IMAGE_BYTES + 1];
        assert!(matches!(Picture::parse(&big), Err(ImageError::TooLarge { .. })));
    }

    /// A JPEG with an EXIF orientation tag, as phone cameras write them.
    fn jpeg_with_orientation(width: u32, height: u32, orientation: u8) -> Vec<u8> {
        let mut jpeg = Vec::new();
        GrayImage::from_pixel(width, height, image::Luma([200])).write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg).unwrap();
        // APP1 "Exif": a big-endian TIFF header and one IFD entry, Orientation (0x0112) SHORT
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0".to_vec();
        exif.extend_from_slice(&[orientation, 0, 0, 0, 0, 0, 0]);
        let mut segment = vec![0xff, 0xe1];
        segment.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        segment.extend_from_slice(&exif);
        jpeg.splice(2..2, segment);
        jpeg
    }

    #[test]
    fn a_photo_is_turned_upright_by_its_exif_orientation() {
        let upright = Picture::parse(&jpeg_with_orientation(1200, 1000, 1)).unwrap();
        assert_eq!((upright.format, upright.width, upright.height), ("jpeg", 1200, 1000));
        // 6: the camera was held turned a quarter clockwise; the picture must be turned back
        let turned = Picture::parse(&jpeg_with_orientation(1200, 1000, 6)).unwrap();
        assert_eq!((turned.width, turned.height), (1000, 1200));
    }

    #[test]
    fn a_large_picture_is_previewed_small() {
        let small = png(300, 200);
        assert_eq!(preview(&small).unwrap(), (small.clone(), "image/png"));
        let noisy =
            image::RgbImage::from_fn(2000, 1500, |x, y| image::Rgb([(x * 7 % 251) as u8, (y * 13 % 251) as u8, ((x ^ y) % 251) as u8]));
        let mut big = Vec::new();
        noisy.write_to(&mut Cursor::new(&mut big), ImageFormat::Png).unwrap();
        assert!(big.len() > PREVIEW_AS_IS_BYTES);
        let (jpeg, mime) = preview(&big).unwrap();
        assert_eq!(mime, "image/jpeg");
        assert!(jpeg.len() < big.len() / 4, "{} of {}", jpeg.len(), big.len());
        assert_eq!(image::load_from_memory(&jpeg).unwrap().width(), PREVIEW_WIDTH);
    }

    #[test]
    fn a_bomb_is_refused_from_its_header() {
        // 7,000 × 7,000 white pixels compress to well under the byte limit
        let bomb = png(7_000, 7_000);
        assert!(bomb.len() < MAX_IMAGE_BYTES);
        assert_eq!(Picture::parse(&bomb).err(), Some(ImageError::TooManyPixels { width: 7_000, height: 7_000 }));
    }
}
