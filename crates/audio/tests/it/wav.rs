//! `wav::read_bytes` (the one decoder behind files and uploads) on arbitrary
//! bytes, on RIFF files of random chunks, on valid files with damaged
//! headers and on valid files cut short: it never panics; what it decodes is
//! whole frames, and a file cut short gives exactly the frames that are
//! there, flagged `truncated`.

use proptest::prelude::*;
use speechtimer_audio::wav::{Clip, read_bytes};
use std::io::Cursor;

/// A small WAV as hound writes it, with the samples it holds as the
/// decoder should give them.
#[derive(Debug, Clone)]
struct Written {
    bytes: Vec<u8>,
    /// Bytes before the samples: RIFF, `fmt `, `data` headers.
    header_len: usize,
    spec: hound::WavSpec,
    /// The samples as f32, interleaved.
    samples: Vec<f32>,
}

impl Written {
    fn frame_bytes(&self) -> usize {
        usize::from(self.spec.channels) * usize::from(self.spec.bits_per_sample / 8)
    }
}

fn spec() -> impl Strategy<Value = hound::WavSpec> {
    let format = prop_oneof![
        (
            Just(hound::SampleFormat::Int),
            proptest::sample::select(&[8u16, 16, 24, 32][..])
        ),
        Just((hound::SampleFormat::Float, 32u16)),
    ];
    let rate = proptest::sample::select(&[1u32, 4_000, 8_000, 16_000, 22_050, 44_100, 48_000][..]);
    (1u16..=3, rate, format).prop_map(|(channels, sample_rate, (sample_format, bits))| {
        hound::WavSpec {
            channels,
            sample_rate,
            bits_per_sample: bits,
            sample_format,
        }
    })
}

/// A valid WAV of 0 to 99 frames.
fn written() -> impl Strategy<Value = Written> {
    (spec(), 0usize..100)
        .prop_flat_map(|(spec, frames)| {
            let n = frames * usize::from(spec.channels);
            (Just(spec), proptest::collection::vec(any::<u32>(), n))
        })
        .prop_map(|(spec, raw)| {
            let mut cursor = Cursor::new(Vec::new());
            let mut w = hound::WavWriter::new(&mut cursor, spec).expect("a valid spec");
            let mut samples = Vec::with_capacity(raw.len());
            for r in raw {
                match spec.sample_format {
                    hound::SampleFormat::Float => {
                        let v = (r as f64 / u32::MAX as f64 * 2.0 - 1.0) as f32;
                        w.write_sample(v).expect("a sample");
                        samples.push(v);
                    }
                    hound::SampleFormat::Int => {
                        let bits = u32::from(spec.bits_per_sample);
                        // a value that fits in `bits` bits, sign extended
                        let v = ((r << (32 - bits)) as i32) >> (32 - bits);
                        w.write_sample(v).expect("a sample");
                        samples.push(v as f32 / (1u64 << (bits - 1)) as f32);
                    }
                }
            }
            w.finalize().expect("the header is written");
            let bytes = cursor.into_inner();
            let data_len = samples.len() * usize::from(spec.bits_per_sample / 8);
            Written {
                header_len: bytes.len() - data_len,
                bytes,
                spec,
                samples,
            }
        })
}

/// What any decoded clip must be: whole frames of at least one channel,
/// never more samples than there are bytes.
fn check_clip(bytes: &[u8], clip: &Clip) -> Result<(), TestCaseError> {
    prop_assert!(clip.channels >= 1, "{clip:?}");
    prop_assert_eq!(clip.samples.len() % clip.channels, 0, "{:?}", clip);
    prop_assert!(
        clip.samples.len() <= bytes.len(),
        "{} samples out of {} bytes",
        clip.samples.len(),
        bytes.len()
    );
    prop_assert!(clip.duration_s().is_finite(), "{clip:?}");
    Ok(())
}

/// [`check_clip`], then the clip made ready for Whisper, as an upload is:
/// a result or an error (a rate out of range), never a panic.
fn check_upload(bytes: &[u8], clip: &Clip) -> Result<(), TestCaseError> {
    check_clip(bytes, clip)?;
    if let Ok(mono) = clip.to_whisper() {
        prop_assert!(
            clip.samples.is_empty() || !mono.is_empty() || clip.rate > 16_000,
            "{} samples at {} Hz gave none",
            clip.samples.len(),
            clip.rate
        );
    }
    Ok(())
}

/// Chunk ids beside `fmt ` and `data`: known ones, repeated ones, zeros.
const CHUNK_IDS: &[[u8; 4]] = &[
    *b"LIST",
    *b"JUNK",
    *b"fact",
    *b"fmt ",
    *b"data",
    *b"\0\0\0\0",
];

/// The fields of a `fmt ` chunk: format tag, channels, rate, byte rate,
/// block align, bits per sample, then any extension bytes.
fn fmt_body() -> impl Strategy<Value = Vec<u8>> {
    let tag = prop_oneof![
        12 => proptest::sample::select(&[1u16, 3, 0xfffe][..]),
        1 => any::<u16>(),
    ];
    let bits = prop_oneof![
        12 => proptest::sample::select(&[8u16, 16, 24, 32][..]),
        1 => proptest::sample::select(&[0u16, 1, 7, 12, 20, 33, 64][..]),
        1 => any::<u16>(),
    ];
    let channels = prop_oneof![8 => 1u16..=8, 1 => Just(0u16), 1 => any::<u16>()];
    let rate = prop_oneof![
        4 => proptest::sample::select(&[8_000u32, 16_000, 44_100][..]),
        1 => any::<u32>(),
    ];
    // consistent byte rate and block align, or any
    let derived = prop_oneof![12 => Just(None), 1 => any::<(u32, u16)>().prop_map(Some)];
    // how the extension is: 0 the one the tag needs, 1 with any valid
    // bits and sub-format, 2 random bytes
    let ext = (
        prop_oneof![6 => Just(0u8), 2 => Just(1u8), 1 => Just(2u8)],
        any::<u16>(),
        any::<u32>(),
        proptest::sample::select(&[1u16, 3, 2, 0xfffe][..]),
        proptest::collection::vec(any::<u8>(), 0..30),
    );
    (tag, channels, rate, bits, derived, ext).prop_map(
        |(tag, channels, rate, bits, derived, (mode, any_bits, mask, any_sub, junk))| {
            let align = channels.wrapping_mul(bits.div_ceil(8));
            let (byte_rate, align) =
                derived.unwrap_or((rate.wrapping_mul(u32::from(align)), align));
            let mut b = Vec::new();
            b.extend(tag.to_le_bytes());
            b.extend(channels.to_le_bytes());
            b.extend(rate.to_le_bytes());
            b.extend(byte_rate.to_le_bytes());
            b.extend(align.to_le_bytes());
            b.extend(bits.to_le_bytes());
            match (mode, tag) {
                (0, 1 | 3) => {}
                (0 | 1, _) => {
                    // WAVEFORMATEXTENSIBLE: size, valid bits, channel mask, sub-format GUID
                    let (valid_bits, sub) = if mode == 0 {
                        (bits, 1)
                    } else {
                        (any_bits, any_sub)
                    };
                    b.extend(22u16.to_le_bytes());
                    b.extend(valid_bits.to_le_bytes());
                    b.extend(mask.to_le_bytes());
                    b.extend(sub.to_le_bytes());
                    b.extend(GUID_TAIL);
                }
                _ => b.extend(junk),
            }
            b
        },
    )
}

/// The 14 bytes after the format code in the sub-format GUIDs of
/// WAVEFORMATEXTENSIBLE (`KSDATAFORMAT_SUBTYPE_PCM` and `_IEEE_FLOAT`).
const GUID_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

/// One chunk: its id, its body (seldom padded to an even length), and a
/// size that is the body's or any.
fn chunk(
    id: impl Strategy<Value = [u8; 4]>,
    body: impl Strategy<Value = Vec<u8>>,
) -> impl Strategy<Value = Vec<u8>> {
    let size = prop_oneof![
        60 => Just(None),
        1 => any::<u32>().prop_map(Some),
        1 => (0u32..8).prop_map(Some),
    ];
    (id, body, size, proptest::bool::weighted(0.05)).prop_map(|(id, body, size, pad)| {
        let mut c = id.to_vec();
        c.extend(size.unwrap_or(body.len() as u32).to_le_bytes());
        // RIFF pads a body of odd length to an even one; hound reads no pad byte
        let odd = body.len() % 2 == 1;
        c.extend(body);
        if odd && pad {
            c.push(0);
        }
        c
    })
}

/// A RIFF/WAVE file of random chunks around a `fmt ` and a `data` chunk
/// (either may be missing or repeated), with any RIFF size.
fn riff() -> impl Strategy<Value = Vec<u8>> {
    let junk = || {
        proptest::collection::vec(
            prop_oneof![
                6 => chunk(
                    proptest::sample::select(&CHUNK_IDS[..2]),
                    proptest::collection::vec(any::<u8>(), 0..32),
                ),
                // hound reads the sample count of `fact`, 4 bytes, whatever its size
                1 => chunk(Just(*b"fact"), proptest::collection::vec(any::<u8>(), 4)),
                1 => chunk(
                    proptest::sample::select(CHUNK_IDS),
                    proptest::collection::vec(any::<u8>(), 0..32),
                ),
            ],
            0..3,
        )
    };
    let fmt = proptest::option::weighted(0.9, chunk(Just(*b"fmt "), fmt_body()));
    let data = proptest::option::weighted(
        0.9,
        chunk(
            Just(*b"data"),
            // mostly whole frames of up to 8 channels of 1 to 4 bytes
            prop_oneof![
                3 => (0usize..17).prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n * 24)),
                1 => proptest::collection::vec(any::<u8>(), 0..400),
            ],
        ),
    );
    (
        junk(),
        fmt,
        junk(),
        data,
        junk(),
        proptest::option::weighted(0.2, any::<u32>()),
    )
        .prop_map(|(j1, fmt, j2, data, j3, riff_size)| {
            let mut body = b"WAVE".to_vec();
            for c in j1.into_iter().chain(fmt).chain(j2).chain(data).chain(j3) {
                body.extend(c);
            }
            let mut out = b"RIFF".to_vec();
            out.extend(riff_size.unwrap_or(body.len() as u32).to_le_bytes());
            out.extend(body);
            out
        })
}

proptest! {
    #![proptest_config(crate::config(3000))]

    #[test]
    fn any_bytes_decode_or_fail(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(clip) = read_bytes(&bytes) {
            check_upload(&bytes, &clip)?;
        }
    }

    #[test]
    fn riff_chunks_decode_or_fail(bytes in riff()) {
        if let Ok(clip) = read_bytes(&bytes) {
            check_upload(&bytes, &clip)?;
        }
    }

    #[test]
    fn valid_files_decode_to_what_was_written(w in written()) {
        let clip = read_bytes(&w.bytes).expect("a valid file");
        prop_assert_eq!(&clip.samples, &w.samples);
        prop_assert_eq!(
            (clip.channels, clip.rate, clip.truncated),
            (usize::from(w.spec.channels), w.spec.sample_rate, false)
        );
        check_clip(&w.bytes, &clip)?;
    }

    #[test]
    fn damaged_headers_decode_or_fail(
        w in written(),
        damage in proptest::collection::vec((0usize..44, any::<u8>()), 1..6),
    ) {
        let mut bytes = w.bytes.clone();
        for (at, value) in damage {
            if let Some(b) = bytes.get_mut(at) {
                *b = value;
            }
        }
        if let Ok(clip) = read_bytes(&bytes) {
            check_upload(&bytes, &clip)?;
        }
    }

    #[test]
    fn files_cut_short_keep_the_whole_frames_there(
        w in written(),
        cut in any::<proptest::sample::Index>(),
    ) {
        let len = cut.index(w.bytes.len() + 1);
        let bytes = &w.bytes[..len];
        match read_bytes(bytes) {
            Err(_) => prop_assert!(len < w.header_len, "cut at {len} of {}: an error", w.bytes.len()),
            Ok(clip) => {
                prop_assert!(len >= w.header_len, "cut at {len} in the header: {clip:?}");
                let frames = (len - w.header_len) / w.frame_bytes();
                let kept = frames * usize::from(w.spec.channels);
                prop_assert_eq!(&clip.samples[..], &w.samples[..kept], "cut at {}", len);
                prop_assert_eq!(clip.truncated, len < w.bytes.len(), "cut at {}", len);
                check_clip(bytes, &clip)?;
            }
        }
    }
}
