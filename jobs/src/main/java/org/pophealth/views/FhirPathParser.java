package org.pophealth.views;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses one FHIRPath expression of the SQL on FHIR subset into an {@link Expr} tree (recursive descent,
 * FHIRPath precedence). %constants are resolved here, so an undefined one fails at parse time.
 */
final class FhirPathParser {
  private final String text;
  private final Map<String, List<Item>> constants;
  private int pos;

  private FhirPathParser(String text, Map<String, List<Item>> constants) {
    this.text = text;
    this.constants = constants;
  }

  /** The tree of {@code text}; throws ViewDefinitionException naming the position of the first error. */
  static Expr parse(String text, Map<String, List<Item>> constants) {
    FhirPathParser p = new FhirPathParser(text, constants);
    Expr e = p.expression(0);
    p.skipSpace();
    if (p.pos < text.length()) {
      throw p.error("unexpected '" + text.substring(p.pos) + "'");
    }
    return e;
  }

  /** Binary operators by level, loosest first. */
  private static final String[][] LEVELS = {
    {"implies"}, {"or", "xor"}, {"and"}, {"=", "!="}, {"<=", ">=", "<", ">"}, {"|"}, {"+", "-", "&"},
    {"*", "/", "div", "mod"}
  };

  private Expr expression(int level) {
    if (level == LEVELS.length) {
      return unary();
    }
    Expr left = expression(level + 1);
    while (true) {
      String op = operator(LEVELS[level]);
      if (op == null) {
        return left;
      }
      Expr right = expression(level + 1);
      left = new Operators.Binary(Operators.Op.of(op), left, right);
    }
  }

  private String operator(String[] ops) {
    skipSpace();
    for (String op : ops) {
      if (!text.startsWith(op, pos)) {
        continue;
      }
      int end = pos + op.length();
      if (Character.isLetter(op.charAt(0)) && end < text.length() && isIdentPart(text.charAt(end))) {
        continue;
      }
      if ((op.equals("<") || op.equals(">")) && end < text.length() && text.charAt(end) == '=') {
        continue;
      }
      pos = end;
      return op;
    }
    return null;
  }

  private Expr unary() {
    skipSpace();
    if (peek('-')) {
      pos++;
      return new Operators.Binary(Operators.Op.SUB, new Expr.Literal(List.of(new Item(0L, "integer"))), unary());
    }
    if (peek('+')) {
      pos++;
      return unary();
    }
    return postfix(term());
  }

  private Expr postfix(Expr e) {
    while (true) {
      skipSpace();
      if (peek('.')) {
        pos++;
        skipSpace();
        e = invocation(e);
      } else if (peek('[')) {
        pos++;
        Expr index = expression(0);
        expect(']');
        e = new Navigation.Index(e, index);
      } else {
        return e;
      }
    }
  }

  private Expr term() {
    skipSpace();
    if (pos >= text.length()) {
      throw error("expression ends too early");
    }
    char c = text.charAt(pos);
    if (c == '(') {
      pos++;
      Expr e = expression(0);
      expect(')');
      return e;
    }
    if (c == '\'') {
      return new Expr.Literal(List.of(new Item(quoted('\''), "string")));
    }
    if (Character.isDigit(c)) {
      return number();
    }
    if (c == '@') {
      return temporal();
    }
    if (c == '{') {
      pos++;
      expect('}');
      return new Expr.Literal(Item.EMPTY);
    }
    if (c == '%') {
      pos++;
      return externalConstant();
    }
    if (c == '$') {
      pos++;
      String name = identifier();
      if (name.equals("this")) {
        return new Expr.This();
      }
      throw error("unsupported variable $" + name);
    }
    return invocation(null);
  }

  private Expr invocation(Expr source) {
    boolean delimited = peek('`');
    String name = identifier();
    skipSpace();
    if (!delimited && source == null && (name.equals("true") || name.equals("false"))) {
      return new Expr.Literal(List.of(Item.of(name.equals("true"))));
    }
    if (!peek('(')) {
      return new Navigation.Child(source, name);
    }
    pos++;
    List<Expr> args = new ArrayList<>();
    skipSpace();
    if (!peek(')')) {
      do {
        args.add(expression(0));
        skipSpace();
      } while (consume(','));
    }
    expect(')');
    return call(source, name, args);
  }

  private Expr call(Expr source, String name, List<Expr> args) {
    Functions.Fn fn = Functions.Fn.named(name);
    if (fn == null) {
      throw error("unsupported function " + name + "()");
    }
    if (args.size() < fn.min || args.size() > fn.max) {
      throw error(name + "() takes " + (fn.min == fn.max ? fn.min : fn.min + " to " + fn.max) + " arguments");
    }
    String typeArg = null;
    if ((fn == Functions.Fn.OFTYPE || fn == Functions.Fn.GETREFERENCEKEY) && !args.isEmpty()) {
      typeArg = typeName(args.get(0));
      args = List.of();
    }
    return new Functions.Call(source, fn, args.toArray(new Expr[0]), typeArg);
  }

  /** The type named by a type-specifier argument ({@code Quantity}, {@code FHIR.string}). */
  private String typeName(Expr e) {
    if (e instanceof Navigation.Child c) {
      if (c.source == null) {
        return c.name;
      }
      if (c.source instanceof Navigation.Child ns && ns.source == null
          && (ns.name.equals("FHIR") || ns.name.equals("System"))) {
        return ns.name.equals("System")
            ? Character.toLowerCase(c.name.charAt(0)) + c.name.substring(1) : c.name;
      }
    }
    throw error("expected a type name");
  }

  private Expr externalConstant() {
    String name;
    if (peek('\'')) {
      name = quoted('\'');
    } else {
      name = identifier();
    }
    switch (name) {
      case "rowIndex":
        return new Expr.Variable(true);
      case "resource":
      case "rootResource":
      case "context":
        return new Expr.Variable(false);
      default:
        List<Item> value = constants.get(name);
        if (value == null) {
          throw error("undefined constant %" + name);
        }
        return new Expr.Literal(value);
    }
  }

  private Expr number() {
    int start = pos;
    while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
      pos++;
    }
    if (pos + 1 < text.length() && text.charAt(pos) == '.' && Character.isDigit(text.charAt(pos + 1))) {
      pos++;
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        pos++;
      }
      return new Expr.Literal(List.of(new Item(new BigDecimal(text.substring(start, pos)), "decimal")));
    }
    try {
      return new Expr.Literal(List.of(new Item(Long.parseLong(text.substring(start, pos)), "integer")));
    } catch (NumberFormatException e) {
      throw error("integer out of range");
    }
  }

  private Expr temporal() {
    int start = ++pos;
    while (pos < text.length() && ("0123456789-:TZ+".indexOf(text.charAt(pos)) >= 0
        || text.charAt(pos) == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1)))) {
      pos++;
    }
    String s = text.substring(start, pos);
    if (s.isEmpty()) {
      throw error("empty date/time literal");
    }
    if (s.charAt(0) == 'T') {
      return new Expr.Literal(List.of(new Item(s.substring(1), "time")));
    }
    if (!Character.isDigit(s.charAt(0))) {
      throw error("bad date/time literal @" + s);
    }
    if (s.indexOf('T') > 0) {
      return new Expr.Literal(List.of(new Item(s.endsWith("T") ? s.substring(0, s.length() - 1) : s, "dateTime")));
    }
    return new Expr.Literal(List.of(new Item(s, "date")));
  }

  private String identifier() {
    skipSpace();
    if (peek('`')) {
      return quoted('`');
    }
    int start = pos;
    if (pos < text.length() && (Character.isLetter(text.charAt(pos)) || text.charAt(pos) == '_')) {
      pos++;
      while (pos < text.length() && isIdentPart(text.charAt(pos))) {
        pos++;
      }
    }
    if (start == pos) {
      throw error(pos < text.length() ? "unexpected '" + text.charAt(pos) + "'" : "expression ends too early");
    }
    return text.substring(start, pos);
  }

  private static boolean isIdentPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  /** A quoted string or delimited identifier with FHIRPath escapes. */
  private String quoted(char quote) {
    pos++;
    StringBuilder sb = new StringBuilder();
    while (pos < text.length()) {
      char c = text.charAt(pos++);
      if (c == quote) {
        return sb.toString();
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= text.length()) {
        break;
      }
      char e = text.charAt(pos++);
      switch (e) {
        case 'n': sb.append('\n'); break;
        case 'r': sb.append('\r'); break;
        case 't': sb.append('\t'); break;
        case 'f': sb.append('\f'); break;
        case 'u':
          if (pos + 4 > text.length()) {
            throw error("bad \\u escape");
          }
          try {
            sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          } catch (NumberFormatException ex) {
            throw error("bad \\u escape");
          }
          pos += 4;
          break;
        default: sb.append(e);
      }
    }
    throw error("unterminated " + (quote == '`' ? "identifier" : "string"));
  }

  private void skipSpace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (Character.isWhitespace(c)) {
        pos++;
      } else if (text.startsWith("//", pos)) {
        while (pos < text.length() && text.charAt(pos) != '\n') {
          pos++;
        }
      } else if (text.startsWith("/*", pos)) {
        int end = text.indexOf("*/", pos + 2);
        pos = end < 0 ? text.length() : end + 2;
      } else {
        return;
      }
    }
  }

  private boolean peek(char c) {
    return pos < text.length() && text.charAt(pos) == c;
  }

  private boolean consume(char c) {
    skipSpace();
    if (peek(c)) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!consume(c)) {
      throw error("expected '" + c + "'");
    }
  }

  private ViewDefinitionException error(String what) {
    return new ViewDefinitionException("FHIRPath '" + text + "' at " + pos + ": " + what);
  }
}
