//! The wire format: Stone's JSON, read and written without serde's
//! per-type machinery. Generated types implement [`Encode`] and [`Decode`]
//! with small, non-generic functions over this module's [`Reader`] and
//! [`Writer`], which keeps the crate fast to compile and to run.

mod read;
mod timestamp;
mod validate;
mod write;

pub use read::{DecodeError, Reader};
pub use timestamp::{Date, DateTime};
pub use validate::{
    check_float, check_int, check_items, check_str, Pattern, Validate, ValidationError,
};
pub use write::Writer;

/// A value that can be written as Stone JSON.
///
/// A struct implements `encode_fields` alone (its value is an object of
/// them: the default `encode`); any other value implements `encode`.
/// Defaults rather than per-type wrappers: a struct's impl is one
/// function, which the compiler checks once.
pub trait Encode {
    /// The value. By default, an object of [`Encode::encode_fields`].
    #[inline]
    fn encode(&self, w: &mut Writer) {
        w.begin_object();
        self.encode_fields(w);
        w.end_object();
    }

    /// A struct's fields, written into an object someone else opened (a
    /// union tag holding the struct writes them next to its `.tag`). Only
    /// structs have fields: for other values this writes nothing. (One
    /// trait rather than two halves the impls the compiler checks.)
    #[inline]
    fn encode_fields(&self, w: &mut Writer) {
        let _ = w;
    }
}

/// A value that can be read from Stone JSON.
///
/// A struct implements `decode_fields` (the default `decode` reads the
/// object at hand with it); any other value implements `decode`. An impl
/// must override one of the two: each default calls the other.
pub trait Decode: Sized {
    /// The value at the reader's position. By default, a struct from the
    /// object there ([`Decode::decode_fields`]).
    #[inline]
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.pos();
        Self::decode_fields(r, at)
    }

    /// A struct read from the fields of an object whose start is `at` (a
    /// union tag holding the struct reads them around its `.tag`); for
    /// other values, the value at `at`.
    #[inline]
    fn decode_fields(r: &mut Reader<'_>, at: usize) -> Result<Self, DecodeError> {
        r.set_pos(at);
        Self::decode(r)
    }
}

/// Encode a value as a JSON string.
pub fn to_string<T: Encode + ?Sized>(value: &T) -> String {
    let mut w = Writer::new();
    value.encode(&mut w);
    w.finish()
}

/// Whether two values have the same wire JSON: the generated types'
/// `PartialEq` (so `0.0` and `-0.0` differ, and fields are compared as
/// Dropbox would see them).
pub fn same<T: Encode + ?Sized>(a: &T, b: &T) -> bool {
    to_string(a) == to_string(b)
}

/// Decode a value from JSON text; trailing content is an error.
pub fn from_str<T: Decode>(text: &str) -> Result<T, DecodeError> {
    let mut r = Reader::new(text);
    let v = T::decode(&mut r)?;
    r.end()?;
    Ok(v)
}

/// A tag of an open union that this version of the SDK does not know, with
/// its payload as sent, so that it can be passed on unchanged.
#[derive(Clone, Debug, PartialEq)]
pub struct Unknown {
    pub tag: String,
    /// The whole JSON value as received.
    pub raw: String,
}

impl Unknown {
    pub fn encode(&self, w: &mut Writer) {
        w.raw(&self.raw);
    }
}

macro_rules! int_impls {
    ($($t:ty => $read:ident),*) => {$(
        impl Encode for $t {
            fn encode(&self, w: &mut Writer) {
                w.int(*self as i128);
            }
        }
        impl Decode for $t {
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                let v = r.$read()?;
                <$t>::try_from(v).map_err(|_| r.error(format!("{v} is out of range for {}", stringify!($t))))
            }
        }
    )*};
}
int_impls!(i32 => integer, i64 => integer, u32 => integer, u64 => integer);

impl Encode for f64 {
    fn encode(&self, w: &mut Writer) {
        w.float(*self);
    }
}
impl Decode for f64 {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.float()
    }
}
impl Encode for f32 {
    fn encode(&self, w: &mut Writer) {
        w.float(f64::from(*self));
    }
}
impl Decode for f32 {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.pos();
        let v = r.float()?;
        // `as` turns a finite f64 beyond f32's range into an infinity.
        match v as f32 {
            f if f.is_finite() => Ok(f),
            _ => Err(DecodeError {
                message: format!("{v} is out of range for a Float32"),
                offset: at,
            }),
        }
    }
}
impl Encode for bool {
    fn encode(&self, w: &mut Writer) {
        w.bool(*self);
    }
}
impl Decode for bool {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.boolean()
    }
}
impl Encode for String {
    fn encode(&self, w: &mut Writer) {
        w.string(self);
    }
}
impl Encode for str {
    fn encode(&self, w: &mut Writer) {
        w.string(self);
    }
}
impl Decode for String {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.string()
    }
}
impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, w: &mut Writer) {
        w.begin_array();
        for item in self {
            w.item();
            item.encode(w);
        }
        w.end_array();
    }
}
impl<T: Decode> Decode for Vec<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut out = Vec::new();
        r.begin_array()?;
        while r.next_item()? {
            out.push(T::decode(r)?);
        }
        Ok(out)
    }
}
impl<T: Encode> Encode for std::collections::BTreeMap<String, T> {
    fn encode(&self, w: &mut Writer) {
        w.begin_object();
        for (k, v) in self {
            w.key(k);
            v.encode(w);
        }
        w.end_object();
    }
}
impl<T: Decode> Decode for std::collections::BTreeMap<String, T> {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut out = std::collections::BTreeMap::new();
        r.begin_object()?;
        while let Some(k) = r.next_key()? {
            let k = k.into_owned();
            out.insert(k, T::decode(r)?);
        }
        Ok(out)
    }
}
impl<T: Encode> Encode for Option<T> {
    fn encode(&self, w: &mut Writer) {
        match self {
            Some(v) => v.encode(w),
            None => w.null(),
        }
    }
}
impl<T: Decode> Decode for Option<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        if r.take_null()? {
            Ok(None)
        } else {
            T::decode(r).map(Some)
        }
    }
}
impl<T: Encode> Encode for Box<T> {
    fn encode(&self, w: &mut Writer) {
        (**self).encode(w);
    }
}
impl<T: Decode> Decode for Box<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        T::decode(r).map(Box::new)
    }
}
impl Encode for () {
    fn encode(&self, w: &mut Writer) {
        w.null();
    }
}
impl Decode for () {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.skip_value()
    }
}

/// `Bytes`: standard base64 on the wire.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl Encode for Bytes {
    fn encode(&self, w: &mut Writer) {
        w.string(&base64_encode(&self.0));
    }
}
impl Decode for Bytes {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let s = r.string()?;
        base64_decode(&s)
            .map(Bytes)
            .ok_or_else(|| r.error("not valid base64".into()))
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    // One character past a group of four spells no byte: not base64
    // (Python's `b64decode`, Stone's, refuses it too).
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = B64.iter().position(|b| *b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// `Debug` for generated types: the type's name and its wire JSON (one
/// small function for every type, instead of a derived impl each).
/// Secrets (passwords, tokens) are shown as `"<redacted>"`.
pub fn debug(name: &str, value: &dyn Encode, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    let mut w = Writer::redacting();
    value.encode(&mut w);
    write!(f, "{name}{}", w.finish())
}

// Helpers the generated code calls, so that each struct's code stays small.

/// `"key": value` inside an object.
pub fn write_field<T: Encode + ?Sized>(w: &mut Writer, key: &str, value: &T) {
    w.key(key);
    if w.redacts(key) {
        w.string("<redacted>");
    } else {
        value.encode(w);
    }
}

/// `"key": value` where the value is set; nothing where it is not.
pub fn write_opt<T: Encode>(w: &mut Writer, key: &str, value: &Option<T>) {
    if let Some(v) = value {
        write_field(w, key, v);
    }
}

/// A struct field's place while its object is read ([`read_fields`]):
/// `Option<T>` for a field that is required or has a default, [`Nullable`]
/// for a nullable one.
pub trait Slot {
    /// Read the field's value (its key was just read).
    fn read(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError>;
}

impl<T: Decode> Slot for Option<T> {
    fn read(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        *self = Some(T::decode(r)?);
        Ok(())
    }
}

/// The slot of a nullable field: `null` or no key leave it `None`.
pub struct Nullable<T>(pub Option<T>);

impl<T: Decode> Slot for Nullable<T> {
    fn read(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        self.0 = Option::<T>::decode(r)?;
        Ok(())
    }
}

/// A field's slot as [`read_fields`] takes it: the common kinds by their
/// own variant (read directly), any other through [`Slot`].
pub enum SlotRef<'s> {
    Str(&'s mut Option<String>),
    NullableStr(&'s mut Nullable<String>),
    Bool(&'s mut Option<bool>),
    U64(&'s mut Option<u64>),
    Any(&'s mut dyn Slot),
}

impl SlotRef<'_> {
    fn read(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        // Each arm is the slot's own `Slot::read`, called on its concrete
        // type (no `dyn` call) except for `Any`.
        match self {
            SlotRef::Str(s) => s.read(r),
            SlotRef::NullableStr(s) => s.read(r),
            SlotRef::Bool(s) => s.read(r),
            SlotRef::U64(s) => s.read(r),
            SlotRef::Any(s) => s.read(r),
        }
    }
}

/// Read a struct's fields, from the object at `at`, into their slots:
/// `keys[i]` is the key of `slots[i]`, unknown keys are passed over, and
/// the slots whose bit is set in `required` must be filled (the error names
/// the first that is not). The generated `decode_fields` of every struct is
/// this call: the loop over the keys is compiled once, here.
pub fn read_fields(
    r: &mut Reader<'_>,
    at: usize,
    type_name: &str,
    keys: &[&str],
    required: u64,
    slots: &mut [SlotRef<'_>],
) -> Result<(), DecodeError> {
    r.set_pos(at);
    r.begin_object()?;
    // Fields often come in their declared order: the key after the last
    // one read is tried first, then all of them. `read` is the mask of the
    // fields read (no call per slot to check the required ones).
    let (mut next, mut read) = (0, 0u64);
    while let Some(k) = r.next_key()? {
        let i = match keys.get(next) {
            Some(key) if **key == *k => Some(next),
            _ => keys.iter().position(|key| **key == *k),
        };
        match i {
            Some(i) => {
                slots[i].read(r)?;
                read |= 1u64.checked_shl(i as u32).unwrap_or(0);
                next = i + 1;
            }
            None => r.skip_value()?,
        }
    }
    match required & !read {
        0 => Ok(()),
        missed => Err(missing(
            r,
            keys[missed.trailing_zeros() as usize],
            type_name,
        )),
    }
}

/// The error for a required field that is absent.
pub fn missing(r: &Reader<'_>, field: &str, type_name: &str) -> DecodeError {
    r.error(format!("missing field '{field}' of {type_name}"))
}

/// `{".tag": tag}`.
pub fn write_tag(w: &mut Writer, tag: &str) {
    w.begin_object();
    write_field(w, ".tag", tag);
    w.end_object();
}

/// `{".tag": tag, ...the struct's fields}` (a plain struct under a tag).
pub fn write_flat<T: Encode>(w: &mut Writer, tag: &str, value: Option<&T>) {
    w.begin_object();
    write_field(w, ".tag", tag);
    if let Some(v) = value {
        v.encode_fields(w);
    }
    w.end_object();
}

/// `{".tag": tag, tag: value}` (any other value under a tag).
pub fn write_nested<T: Encode>(w: &mut Writer, tag: &str, value: Option<&T>) {
    w.begin_object();
    write_field(w, ".tag", tag);
    if let Some(v) = value {
        write_field(w, tag, v);
    }
    w.end_object();
}

/// The value under the key named as the tag, in the object at hand.
pub fn read_nested<T: Decode>(
    r: &mut Reader<'_>,
    tag: &str,
    type_name: &str,
) -> Result<T, DecodeError> {
    match read_nested_opt(r, tag)? {
        Some(v) => Ok(v),
        None => Err(r.error(format!("missing value of tag '{tag}' of {type_name}"))),
    }
}

/// As [`read_nested`], for a nullable value (absent or `null`: None).
pub fn read_nested_opt<T: Decode>(r: &mut Reader<'_>, tag: &str) -> Result<Option<T>, DecodeError> {
    r.begin_object()?;
    let mut value = None;
    while let Some(k) = r.next_key()? {
        if k == tag {
            value = Option::<T>::decode(r)?;
        } else {
            r.skip_value()?;
        }
    }
    Ok(value)
}

/// A union's tag, and where its value is: `None` for a bare string tag
/// (`"tag"`), else the position of the object that holds `.tag`. One match
/// over the tag then serves both forms (see the `*_at` readers below).
pub fn union_tag<'a>(
    r: &mut Reader<'a>,
    union_name: &str,
) -> Result<(std::borrow::Cow<'a, str>, Option<usize>), DecodeError> {
    if r.is_string() {
        return Ok((r.str_cow()?, None));
    }
    let at = r.pos();
    match r.peek_tag()? {
        Some(tag) => Ok((tag, Some(at))),
        None => Err(r.error(format!("missing .tag for {union_name}"))),
    }
}

/// A void tag's value (nothing, or the object to pass over).
pub fn read_void_at(r: &mut Reader<'_>, at: Option<usize>) -> Result<(), DecodeError> {
    match at {
        Some(_) => r.skip_value(),
        None => Ok(()),
    }
}

/// A void tag's variant `v`, its value passed over ([`read_void_at`]): a
/// call per variant, not a closure (one body more for the compiler).
#[inline]
pub fn void_at<T>(r: &mut Reader<'_>, at: Option<usize>, v: T) -> Result<T, DecodeError> {
    match read_void_at(r, at) {
        Ok(()) => Ok(v),
        Err(e) => Err(e),
    }
}

/// A struct under a tag, its fields beside `.tag`; a bare tag is the
/// struct with no fields given (fine where all of them are optional).
#[inline]
pub fn read_flat_at<T: Decode>(r: &mut Reader<'_>, at: Option<usize>) -> Result<T, DecodeError> {
    match at {
        Some(at) => T::decode_fields(r, at),
        None => T::decode_fields(&mut Reader::new("{}"), 0),
    }
}

/// As [`read_flat_at`] for a nullable struct: a bare tag, or an object
/// with no key but `.tag` (how Stone writes it), is `None`.
#[inline]
pub fn read_flat_opt_at<T: Decode>(
    r: &mut Reader<'_>,
    at: Option<usize>,
) -> Result<Option<T>, DecodeError> {
    match at {
        Some(at) if r.has_key_beside_tag()? => T::decode_fields(r, at).map(Some),
        Some(_) => r.skip_value().map(|()| None),
        None => Ok(None),
    }
}

/// Any other value under a tag; a bare tag has none, which is an error
/// (as in Stone's own decoder).
#[inline]
pub fn read_nested_at<T: Decode>(
    r: &mut Reader<'_>,
    at: Option<usize>,
    tag: &str,
    type_name: &str,
) -> Result<T, DecodeError> {
    match at {
        Some(_) => read_nested(r, tag, type_name),
        None => Err(r.error(format!(
            "tag '{tag}' of {type_name} needs a value: expected an object, got a bare string"
        ))),
    }
}

/// As [`read_nested_at`] for a nullable value: a bare tag is `None`.
#[inline]
pub fn read_nested_opt_at<T: Decode>(
    r: &mut Reader<'_>,
    at: Option<usize>,
    tag: &str,
) -> Result<Option<T>, DecodeError> {
    match at {
        Some(_) => read_nested_opt(r, tag),
        None => Ok(None),
    }
}

/// A tag this SDK does not know, in either form.
pub fn read_unknown_at(
    r: &mut Reader<'_>,
    at: Option<usize>,
    tag: &str,
) -> Result<Unknown, DecodeError> {
    match at {
        Some(_) => read_unknown(r, tag),
        None => Ok(unknown_bare(tag)),
    }
}

/// A tag this SDK does not know, kept with its whole value.
pub fn read_unknown(r: &mut Reader<'_>, tag: &str) -> Result<Unknown, DecodeError> {
    Ok(Unknown {
        tag: tag.to_string(),
        raw: r.raw_value()?.to_string(),
    })
}

/// A bare-string tag this SDK does not know.
pub fn unknown_bare(tag: &str) -> Unknown {
    let mut raw = Writer::new();
    raw.string(tag);
    Unknown {
        tag: tag.to_string(),
        raw: raw.finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_float32_beyond_its_range_is_an_error_not_an_infinity() {
        assert_eq!(from_str::<f32>("3.5").unwrap(), 3.5);
        assert_eq!(from_str::<f32>("-3.4e38").unwrap(), -3.4e38);
        for json in ["1e39", "-1e39"] {
            let e = from_str::<f32>(json).unwrap_err();
            assert!(
                e.message.contains("out of range for a Float32"),
                "{json}: {e}"
            );
        }
        assert!(from_str::<f64>("1e400").is_err());
    }

    #[test]
    fn bytes_are_base64() {
        assert_eq!(base64_decode("QUJD"), Some(b"ABC".to_vec()));
        assert_eq!(base64_decode("QUI="), Some(b"AB".to_vec()));
        assert_eq!(base64_decode("QQ=="), Some(b"A".to_vec()));
        for bad in ["A", "QUJDR", "QU*D"] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }
}
