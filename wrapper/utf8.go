package wrapper

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text sent to the API must be valid UTF-8. encoding/json would replace
// each invalid byte with U+FFFD and a multipart body would carry it raw, so
// the same prompt would reach the API two different ways depending on how
// the request is sent; instead both refuse it before anything is sent, with
// a *ValidationError naming the field and the offset of the first bad byte
// (as openai-python refuses text it cannot encode). This check runs even
// with validation off: it is about encoding, not about a model's rules.

// utf8Error returns the problem of a field whose value is not valid UTF-8.
func utf8Error(field, s string) *ValidationError {
	at := 0
	for at < len(s) {
		r, size := utf8.DecodeRuneInString(s[at:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		at += size
	}
	return &ValidationError{Problems: []Problem{{
		Field:   field,
		Value:   fmt.Sprintf("%d bytes", len(s)),
		Rule:    fmt.Sprintf("is not valid UTF-8 (byte 0x%02x at offset %d)", s[at], at),
		Allowed: "UTF-8 text",
	}}}
}

// checkUTF8 returns a *ValidationError for the first string in v that is
// not valid UTF-8. v is a request body: struct fields are named by their
// JSON names, map keys and values and slice elements are checked too;
// []byte values (raw JSON, image data) are not text and are skipped.
func checkUTF8(v any) error {
	if field, s, bad := findInvalid(reflect.ValueOf(v), ""); bad {
		return utf8Error(field, s)
	}
	return nil
}

func findInvalid(v reflect.Value, path string) (string, string, bool) {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) {
			return path, s, true
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return findInvalid(v.Elem(), path)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == "-" {
				continue
			} else if tag != "" {
				name = tag
			}
			if f.Anonymous && f.Tag.Get("json") == "" {
				name = ""
			}
			if field, s, bad := findInvalid(v.Field(i), join(path, name)); bad {
				return field, s, true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "", "", false
		}
		for i := range v.Len() {
			if field, s, bad := findInvalid(v.Index(i), path+"["+strconv.Itoa(i)+"]"); bad {
				return field, s, true
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key()
			if k.Kind() == reflect.String && !utf8.ValidString(k.String()) {
				return path, k.String(), true
			}
			if field, s, bad := findInvalid(iter.Value(), join(path, fmt.Sprint(k.Interface()))); bad {
				return field, s, true
			}
		}
	}
	return "", "", false
}

func join(path, name string) string {
	switch {
	case path == "":
		return name
	case name == "":
		return path
	}
	return path + "." + name
}
