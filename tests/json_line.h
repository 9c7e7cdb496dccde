/* SPDX-License-Identifier: Apache-2.0 */
// A strict reader of JSONL lines, shared by the trace tests and the CLI tests.
#ifndef VMXSIM_TESTS_JSON_LINE_H
#define VMXSIM_TESTS_JSON_LINE_H

#include <string>
#include <utility>
#include <vector>

// A strict reader for one JSONL line: a flat object whose values are strings,
// unsigned integers, true or false. Returns the members in order, with string
// values unescaped and other values as written; sets ok = false on anything
// that is not valid JSON of that shape (or on trailing bytes other than "\n").
struct JsonLine {
	bool ok = false;
	std::string error;
	std::vector<std::pair<std::string, std::string>> members;
	std::vector<bool> is_string;

	explicit JsonLine(const std::string &line) : s(line) { ok = Parse(); }

	std::string Get(const std::string &key) const
	{
		for (const auto &m : members)
			if (m.first == key)
				return m.second;
		return "<missing>";
	}

private:
	const std::string s;
	size_t i = 0;

	bool Fail(const char *why)
	{
		error = std::string(why) + " at byte " + std::to_string(i);
		return false;
	}
	static int Hex(char c)
	{
		return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
	}
	bool String(std::string *out)
	{
		if (i >= s.size() || s[i] != '"')
			return Fail("expected a string");
		for (i++; i < s.size(); i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == '"') {
				i++;
				return true;
			}
			if (c < 0x20)
				return Fail("raw control character in a string");
			if (c != '\\') {
				*out += (char)c;
				continue;
			}
			if (++i >= s.size())
				return Fail("escape at end");
			switch (s[i]) {
			case '"': *out += '"'; break;
			case '\\': *out += '\\'; break;
			case '/': *out += '/'; break;
			case 'b': *out += '\b'; break;
			case 'f': *out += '\f'; break;
			case 'n': *out += '\n'; break;
			case 'r': *out += '\r'; break;
			case 't': *out += '\t'; break;
			case 'u': {
				int v = 0;
				for (int k = 0; k < 4; k++) {
					if (++i >= s.size() || Hex(s[i]) < 0)
						return Fail("bad \\u escape");
					v = v * 16 + Hex(s[i]);
				}
				if (v >= 0x80)
					return Fail("non-ASCII \\u escape (not expected here)");
				*out += (char)v;
				break;
			}
			default:
				return Fail("bad escape");
			}
		}
		return Fail("unterminated string");
	}
	bool Value(std::string *out, bool *str)
	{
		*str = false;
		if (i < s.size() && s[i] == '"') {
			*str = true;
			return String(out);
		}
		if (!s.compare(i, 4, "true") || !s.compare(i, 5, "false")) {
			size_t n = s[i] == 't' ? 4 : 5;
			*out = s.substr(i, n);
			i += n;
			return true;
		}
		size_t start = i;
		if (i < s.size() && s[i] == '0') {
			i++;
		} else {
			while (i < s.size() && s[i] >= '0' && s[i] <= '9')
				i++;
		}
		if (i == start)
			return Fail("expected a value");
		if (i < s.size() && s[i] >= '0' && s[i] <= '9')
			return Fail("leading zero");
		*out = s.substr(start, i - start);
		return true;
	}
	bool Parse()
	{
		if (s.empty() || s[i++] != '{')
			return Fail("expected '{'");
		for (bool first = true;; first = false) {
			if (i < s.size() && s[i] == '}' && first)
				break;
			std::string k, v;
			bool str;
			if (!String(&k))
				return false;
			if (i >= s.size() || s[i++] != ':')
				return Fail("expected ':'");
			if (!Value(&v, &str))
				return false;
			for (const auto &m : members)
				if (m.first == k)
					return Fail("duplicate key");
			members.emplace_back(k, v);
			is_string.push_back(str);
			if (i < s.size() && s[i] == ',') {
				i++;
				continue;
			}
			break;
		}
		if (i >= s.size() || s[i++] != '}')
			return Fail("expected '}'");
		if (s.substr(i) != "\n")
			return Fail("expected exactly one newline after the object");
		return true;
	}
};

#endif
