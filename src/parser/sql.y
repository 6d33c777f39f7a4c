/*
 * sql.y — the Lemon LALR(1) grammar of Basalt's SQL (SQLite's parse.y is the model).
 *
 * Lemon turns this file into sql.c and sql.h at build time (see CMakeLists.txt). The
 * driver in parser.c feeds one statement at a time: its tokens, then the ';' if there
 * was one, then end of input (code 0); the start rule stores the finished statement in
 * ctx->result. Every action is one call to a builder of build.c, which allocates the
 * nodes in the parse arena; actions never dereference nodes themselves (a builder
 * returns NULL once the context has failed, see parser_int.h).
 *
 * Keywords that PostgreSQL does not reserve fall back to ID (%fallback), so they work as
 * names wherever a keyword would not parse. NOT_LA is NOT when the next token is
 * BETWEEN, IN, LIKE or ILIKE (the driver looks ahead, as PostgreSQL's does), so that
 * `a = b NOT LIKE c` groups as `a = (b NOT LIKE c)`.
 *
 * Operator precedence, lowest first, is PostgreSQL's: OR; AND; NOT; IS; comparison;
 * BETWEEN IN LIKE ILIKE; ESCAPE; || and the other operators (~ !~ ~* !~*); + -; * / %;
 * unary + -; ::.
 */

%name BasaltSqlParse
%token_prefix TK_
%token_type {Token}
%default_type {Token}
%extra_argument {ParseCtx *ctx}
%stack_size 5000

%syntax_error {
    parser_syntax_error(ctx, yymajor, TOKEN);
}
%stack_overflow {
    parser_stack_overflow(ctx);
}

%include {
#include "parser/parser_int.h"

/* Stop at the first syntax error: the driver reports it and abandons the statement. */
#define YYNOERRORRECOVERY 1
#define YYPARSEFREENEVERNULL 1
}

/* Token codes in a fixed order, so that keyword and punctuation codes are stable. */
%token SEMI LP RP COMMA DOT STAR PLUS MINUS SLASH REM CONCAT EQ NE LT LE GT GE DCOLON
       INTEGER NUMBER STRING ID NOT_LA.
/* Arrays: [ ] : @> <@ && */
%token LBRACKET RBRACKET COLON CONTAINS CONTAINED OVERLAP.

/* Non-reserved keywords: usable as names where the keyword would not parse. */
%fallback ID
  ANALYZE BY COPY DAY DROP ESCAPE EXPLAIN EXTRACT FILTER FIRST HOUR IF INSERT INTERVAL LAST
  MINUTE MONTH NEXT NULLS ONLY POSITION PRECISION REPLACE ROW ROWS SECOND SUBSTRING TIME TO
  TRIM TRY_CAST VARYING VIEW WITHIN WITHOUT YEAR ZONE ROLLUP CUBE GROUPING SETS RECURSIVE
  CURRENT EXCLUDE FOLLOWING GROUPS NO OTHERS OVER PARTITION PRECEDING RANGE TIES UNBOUNDED
  SET SHOW RESET AT ORDINALITY DESCRIBE.

/* PAREN_LOW/PAREN_HIGH only rank rules: a parenthesized query is read as a query. */
%nonassoc PAREN_LOW.
%left UNION EXCEPT.
%left INTERSECT.
%left OR.
%left AND.
%right NOT.
%nonassoc IS.
%nonassoc EQ NE LT GT LE GE.
%nonassoc BETWEEN IN LIKE ILIKE NOT_LA.
%nonassoc ESCAPE.
%left CONCAT MATCH NOT_MATCH IMATCH NOT_IMATCH CONTAINS CONTAINED OVERLAP.
%left PLUS MINUS.
%left STAR SLASH REM.
%left AT.
%right UMINUS.
%left DCOLON.
%left LBRACKET.
%nonassoc PAREN_HIGH.
%nonassoc IGNORE_LA RESPECT_LA.

/* ---- statements ------------------------------------------------------------------ */

input ::= cmd(C) semi_opt.  { ctx->result = C; }

semi_opt ::= .
semi_opt ::= SEMI.

%type cmd {AstStatement *}
cmd(A) ::= stmt(A).
cmd(A) ::= EXPLAIN(E) analyze_opt(Z) stmt(S).  { A = build_explain(ctx, S, Z, NULL, E.pos); }
/* Trino's EXPLAIN (TYPE DISTRIBUTED, FORMAT TEXT): the binder checks the options. */
cmd(A) ::= EXPLAIN(E) analyze_opt(Z) LP copy_optlist(O) RP stmt(S).  {
    A = build_explain(ctx, S, Z, O, E.pos);
}

%type analyze_opt {bool}
analyze_opt(A) ::= .         { A = false; }
analyze_opt(A) ::= ANALYZE.  { A = true; }

%type stmt {AstStatement *}
stmt(A) ::= select(S).  { A = build_stmt_select(ctx, S); }

stmt(A) ::= CREATE(C) TABLE ifnotexists(E) nm(N) LP coldefs(L) RP.  {
    A = build_create_table(ctx, N, E, L, NULL, C.pos);
}
stmt(A) ::= CREATE(C) TABLE ifnotexists(E) nm(N) AS select(S).  {
    A = build_create_table(ctx, N, E, NULL, S, C.pos);
}

%type ifnotexists {bool}
ifnotexists(A) ::= .               { A = false; }
ifnotexists(A) ::= IF NOT EXISTS.  { A = true; }

%type coldefs {AstList *}
coldefs(A) ::= coldef(X).                   { A = list_new(ctx, X); }
coldefs(A) ::= coldefs(L) COMMA coldef(X).  { A = list_add(ctx, L, X); }

%type coldef {AstColumnDef *}
coldef(A) ::= nm(N) typename(T) colcons(C).  { A = build_column_def(ctx, N, T, C); }

/* 0: nothing said, 1: NOT NULL, 2: NULL. */
%type colcons {int}
colcons(A) ::= .                         { A = 0; }
colcons(A) ::= colcons(X) NOT NULL(N).   { A = build_nullability(ctx, X, 1, N.pos); }
colcons(A) ::= colcons(X) NULL(N).       { A = build_nullability(ctx, X, 2, N.pos); }

/* SET / RESET / SHOW of a setting (server/settings.c knows the names). */
stmt(A) ::= SET(S) nm(N) EQ setvalue(V).    { A = build_set(ctx, STMT_SET, NULL, &N, V.kind, &V.tok, V.neg, S.pos); }
stmt(A) ::= SET(S) nm(N) TO setvalue(V).    { A = build_set(ctx, STMT_SET, NULL, &N, V.kind, &V.tok, V.neg, S.pos); }
stmt(A) ::= SET(S) TIME ZONE setvalue(V).   { A = build_set(ctx, STMT_SET, "timezone", NULL, V.kind, &V.tok, V.neg, S.pos); }
stmt(A) ::= RESET(S) nm(N).                 { A = build_set(ctx, STMT_SET, NULL, &N, -1, NULL, false, S.pos); }
stmt(A) ::= RESET(S) TIME ZONE.             { A = build_set(ctx, STMT_SET, "timezone", NULL, -1, NULL, false, S.pos); }
stmt(A) ::= RESET(S) ALL.                   { A = build_set(ctx, STMT_SET, "all", NULL, -1, NULL, false, S.pos); }
stmt(A) ::= SHOW(S) nm(N).                  { A = build_show(ctx, N, S.pos); }
stmt(A) ::= SHOW(S) TIME ZONE.              { A = build_set(ctx, STMT_SHOW, "timezone", NULL, -1, NULL, false, S.pos); }
stmt(A) ::= SHOW(S) ALL.                    { A = build_set(ctx, STMT_SHOW, "all", NULL, -1, NULL, false, S.pos); }

/* SHOW TABLES [FROM [catalog.]schema], SHOW COLUMNS FROM t, DESCRIBE t, DESCRIBE query:
   queries over the catalog (the binder builds them). */
stmt(A) ::= SHOW(S) nm(W) FROM qname(Q).    { A = build_show_from(ctx, W, Q, S.pos); }
stmt(A) ::= DESCRIBE(D) qname(Q).           { A = build_describe(ctx, &Q, NULL, D.pos); }
stmt(A) ::= DESCRIBE(D) select(S).          { A = build_describe(ctx, NULL, S, D.pos); }

/* A relation's name: [catalog.][schema.]name. */
%type qname {QualName}
qname(A) ::= nm(N).                         { A = qual_name(NULL, NULL, N); }
qname(A) ::= nm(S) DOT nm(N).               { A = qual_name(NULL, &S, N); }
qname(A) ::= nm(C) DOT nm(S) DOT nm(N).     { A = qual_name(&C, &S, N); }

%type setvalue {SetValue}
setvalue(A) ::= STRING(X).          { A.kind = 0; A.tok = X; A.neg = false; }
setvalue(A) ::= nm(X).              { A.kind = 1; A.tok = X; A.neg = false; }
setvalue(A) ::= INTEGER(X).         { A.kind = 2; A.tok = X; A.neg = false; }
setvalue(A) ::= NUMBER(X).          { A.kind = 2; A.tok = X; A.neg = false; }
setvalue(A) ::= MINUS INTEGER(X).   { A.kind = 2; A.tok = X; A.neg = true; }
setvalue(A) ::= MINUS NUMBER(X).    { A.kind = 2; A.tok = X; A.neg = true; }

stmt(A) ::= DROP(D) TABLE ifexists(E) namelist(L).  { A = build_drop_table(ctx, L, E, false, D.pos); }
stmt(A) ::= DROP(D) VIEW ifexists(E) namelist(L).   { A = build_drop_table(ctx, L, E, true, D.pos); }

stmt(A) ::= CREATE(C) orreplace(R) VIEW nm(N) collist_opt(L) AS(S) select(Q).  {
    A = build_create_view(ctx, N, R, L, Q, S, C.pos);
}

%type orreplace {bool}
orreplace(A) ::= .            { A = false; }
orreplace(A) ::= OR REPLACE.  { A = true; }

%type ifexists {bool}
ifexists(A) ::= .           { A = false; }
ifexists(A) ::= IF EXISTS.  { A = true; }

/* Two rules, not collist_opt: `INSERT INTO t (` may open a column list or a query. */
stmt(A) ::= INSERT(I) INTO nm(T) select(S).  { A = build_insert(ctx, T, NULL, S, I.pos); }
stmt(A) ::= INSERT(I) INTO nm(T) LP namelist(C) RP select(S).  {
    A = build_insert(ctx, T, C, S, I.pos);
}

stmt(A) ::= COPY(C) nm(T) collist_opt(L) FROM STRING(P) copy_options(O).  {
    A = build_copy(ctx, T, L, P, O, C.pos);
}

%type copy_options {AstList *}
copy_options(A) ::= .                               { A = NULL; }
copy_options(A) ::= LP copy_optlist(X) RP.          { A = X; }
copy_options(A) ::= WITH LP copy_optlist(X) RP.     { A = X; }

/* Options `name [value]`, COPY's and EXPLAIN's. */
%type copy_optlist {AstList *}
copy_optlist(A) ::= copy_opt(X).                         { A = list_new(ctx, X); }
copy_optlist(A) ::= copy_optlist(L) COMMA copy_opt(X).   { A = list_add(ctx, L, X); }

%type copy_opt {AstOption *}
copy_opt(A) ::= copy_optname(N).                  { A = build_option(ctx, N, NULL); }
copy_opt(A) ::= copy_optname(N) copy_optval(V).   { A = build_option(ctx, N, V); }

copy_optname(A) ::= nm(X).    { A = X; }
copy_optname(A) ::= NULL(X).  { A = X; }

%type copy_optval {AstExpr *}
copy_optval(A) ::= STRING(X).           { A = build_string(ctx, X); }
copy_optval(A) ::= INTEGER(X).          { A = build_integer(ctx, X); }
copy_optval(A) ::= NUMBER(X).           { A = build_number(ctx, X); }
copy_optval(A) ::= MINUS(M) INTEGER(X). { A = build_unary(ctx, OP_NEG, build_integer(ctx, X), M.pos); }
copy_optval(A) ::= MINUS(M) NUMBER(X).  { A = build_unary(ctx, OP_NEG, build_number(ctx, X), M.pos); }
copy_optval(A) ::= TRUE(X).             { A = build_bool(ctx, true, X.pos); }
copy_optval(A) ::= FALSE(X).            { A = build_bool(ctx, false, X.pos); }
copy_optval(A) ::= ON(X).               { A = build_bool(ctx, true, X.pos); }
copy_optval(A) ::= nm(N).               { A = build_column(ctx, NULL, N); }

/* ---- queries --------------------------------------------------------------------- */

%type select {AstSelect *}
select(A) ::= select_nowith(A).
select(A) ::= WITH(W) ctelist(L) select_nowith(X).  { A = build_select_with(ctx, X, L, false, W.pos); }
select(A) ::= WITH(W) RECURSIVE ctelist(L) select_nowith(X).  {
    A = build_select_with(ctx, X, L, true, W.pos);
}

%type ctelist {AstList *}
ctelist(A) ::= cte(X).                   { A = list_new(ctx, X); }
ctelist(A) ::= ctelist(L) COMMA cte(X).  { A = list_add(ctx, L, X); }

%type cte {AstCte *}
cte(A) ::= nm(N) collist_opt(C) AS LP select(S) RP.  { A = build_cte(ctx, N, C, S); }

%type select_nowith {AstSelect *}
select_nowith(A) ::= set_expr(X) order_opt(O) limit_opt(L).  {
    A = build_select_tail(ctx, X, O, L);
}

%type set_expr {AstSelect *}
set_expr(A) ::= simple_select(A).
set_expr(A) ::= set_expr(L) UNION set_quant(Q) set_expr(R).  {
    A = build_setop(ctx, SETOP_UNION, Q, L, R);
}
set_expr(A) ::= set_expr(L) EXCEPT set_quant(Q) set_expr(R).  {
    A = build_setop(ctx, SETOP_EXCEPT, Q, L, R);
}
set_expr(A) ::= set_expr(L) INTERSECT set_quant(Q) set_expr(R).  {
    A = build_setop(ctx, SETOP_INTERSECT, Q, L, R);
}

%type set_quant {bool}
set_quant(A) ::= .          { A = false; }
set_quant(A) ::= ALL.       { A = true; }
set_quant(A) ::= DISTINCT.  { A = false; }

%type simple_select {AstSelect *}
simple_select(A) ::= SELECT(S) distinct_opt(D) selcollist(L) from_opt(F) where_opt(W)
                     groupby_opt(G) having_opt(H) window_opt(N).  {
    A = build_select_windows(ctx, build_select_core(ctx, S.pos, D, L, F, W, G, H), N);
}
simple_select(A) ::= SELECT(S) DISTINCT ON LP exprlist(X) RP selcollist(L) from_opt(F)
                     where_opt(W) groupby_opt(G) having_opt(H) window_opt(N).  {
    A = build_distinct_on(ctx, build_select_windows(ctx, build_select_core(ctx, S.pos, false, L,
                                                                        F, W, G, H), N), X);
}
simple_select(A) ::= VALUES(V) rowlist(R).  { A = build_values(ctx, R, V.pos); }
simple_select(A) ::= LP select(X) RP. [PAREN_HIGH]  { A = X; }

%type distinct_opt {bool}
distinct_opt(A) ::= .          { A = false; }
distinct_opt(A) ::= DISTINCT.  { A = true; }
distinct_opt(A) ::= ALL.       { A = false; }

%type rowlist {AstList *}
rowlist(A) ::= LP exprlist(X) RP.                 { A = list_new(ctx, X); }
rowlist(A) ::= rowlist(L) COMMA LP exprlist(X) RP.  { A = list_add(ctx, L, X); }

%type selcollist {AstList *}
selcollist(A) ::= selcol(X).                      { A = list_new(ctx, X); }
selcollist(A) ::= selcollist(L) COMMA selcol(X).  { A = list_add(ctx, L, X); }

%type selcol {AstSelectItem *}
selcol(A) ::= STAR(S).  {
    Token none = {-1, 0};
    A = build_select_item(ctx, build_star(ctx, NULL, S.pos), none);
}
selcol(A) ::= nm(Q) DOT STAR.  {
    Token none = {-1, 0};
    A = build_select_item(ctx, build_star(ctx, &Q, Q.pos), none);
}
selcol(A) ::= expr(X) col_alias(N).  { A = build_select_item(ctx, X, N); }

/* An output name: `AS name`, a bare name, or nothing (pos -1). */
col_alias(A) ::= .           { A.pos = -1; A.len = 0; }
col_alias(A) ::= AS nm(X).   { A = X; }
col_alias(A) ::= nm(X).      { A = X; }

%type from_opt {AstList *}
from_opt(A) ::= .                 { A = NULL; }
from_opt(A) ::= FROM fromlist(X). { A = X; }

%type fromlist {AstList *}
fromlist(A) ::= table_ref(X).                    { A = list_new(ctx, X); }
fromlist(A) ::= fromlist(L) COMMA table_ref(X).  { A = list_add(ctx, L, X); }

%type table_ref {AstTableRef *}
table_ref(A) ::= table_primary(A).
table_ref(A) ::= joined_table(A).

%type joined_table {AstTableRef *}
joined_table(A) ::= table_ref(L) join_type(T) JOIN(J) table_primary(R) ON expr(E).  {
    A = build_join(ctx, (AstJoinType)T, false, L, R, E, NULL, J.pos);
}
joined_table(A) ::= table_ref(L) join_type(T) JOIN(J) table_primary(R)
                    USING LP namelist(U) RP.  {
    A = build_join(ctx, (AstJoinType)T, false, L, R, NULL, U, J.pos);
}
joined_table(A) ::= table_ref(L) CROSS JOIN(J) table_primary(R).  {
    A = build_join(ctx, JOIN_CROSS, false, L, R, NULL, NULL, J.pos);
}
joined_table(A) ::= table_ref(L) NATURAL join_type(T) JOIN(J) table_primary(R).  {
    A = build_join(ctx, (AstJoinType)T, true, L, R, NULL, NULL, J.pos);
}

%type join_type {int}
join_type(A) ::= .                   { A = JOIN_INNER; }
join_type(A) ::= INNER.              { A = JOIN_INNER; }
join_type(A) ::= LEFT outer_opt.     { A = JOIN_LEFT; }
join_type(A) ::= RIGHT outer_opt.    { A = JOIN_RIGHT; }
join_type(A) ::= FULL outer_opt.     { A = JOIN_FULL; }

outer_opt ::= .
outer_opt ::= OUTER.

%type table_primary {AstTableRef *}
table_primary(A) ::= qname(N) alias_opt(L).           { A = build_table_ref(ctx, N, L); }
table_primary(A) ::= LP(P) select(S) RP alias_opt(L).  { A = build_subquery_ref(ctx, S, L, P.pos); }
table_primary(A) ::= nm(N) LP exprlist(X) RP alias_opt(L).  { A = build_function_ref(ctx, N, X, L); }
table_primary(A) ::= nm(N) LP RP alias_opt(L).  { A = build_function_ref(ctx, N, NULL, L); }
table_primary(A) ::= nm(N) LP exprlist(X) RP WITH ORDINALITY alias_opt(L).  {
    A = build_ordinality(ctx, build_function_ref(ctx, N, X, L));
}
table_primary(A) ::= LP joined_table(J) RP alias_opt(L).  { A = build_paren_join(ctx, J, L); }
/* LATERAL: a subquery or table function that reads the FROM items to its left. */
table_primary(A) ::= LATERAL(X) LP select(S) RP alias_opt(L).  {
    A = build_lateral(ctx, build_subquery_ref(ctx, S, L, X.pos), X.pos);
}
table_primary(A) ::= LATERAL(X) nm(N) LP exprlist(E) RP alias_opt(L).  {
    A = build_lateral(ctx, build_function_ref(ctx, N, E, L), X.pos);
}
table_primary(A) ::= LATERAL(X) nm(N) LP exprlist(E) RP WITH ORDINALITY alias_opt(L).  {
    A = build_lateral(ctx, build_ordinality(ctx, build_function_ref(ctx, N, E, L)), X.pos);
}
table_primary(A) ::= LATERAL(X) nm(N) LP RP alias_opt(L).  {
    A = build_lateral(ctx, build_function_ref(ctx, N, NULL, L), X.pos);
}

%type alias_opt {AliasClause *}
alias_opt(A) ::= . [PAREN_LOW]                     { A = NULL; }
alias_opt(A) ::= AS nm(N).                          { A = build_alias(ctx, N, NULL); }
alias_opt(A) ::= nm(N).                             { A = build_alias(ctx, N, NULL); }
alias_opt(A) ::= AS nm(N) LP namelist(L) RP.        { A = build_alias(ctx, N, L); }
alias_opt(A) ::= nm(N) LP namelist(L) RP.           { A = build_alias(ctx, N, L); }

%type where_opt {AstExpr *}
where_opt(A) ::= .              { A = NULL; }
where_opt(A) ::= WHERE expr(X). { A = X; }

/* GROUP BY items (AstGroupItem*): expressions, ROLLUP, CUBE, GROUPING SETS, (). */
%type groupby_opt {AstList *}
groupby_opt(A) ::= .                       { A = NULL; }
groupby_opt(A) ::= GROUP BY groupitems(X). { A = X; }

%type groupitems {AstList *}
groupitems(A) ::= groupitem(X).                     { A = list_new(ctx, X); }
groupitems(A) ::= groupitems(L) COMMA groupitem(X). { A = list_add(ctx, L, X); }

%type groupitem {AstGroupItem *}
groupitem(A) ::= expr(X).  { A = build_group_item(ctx, GROUP_EXPR, X, NULL, expr_start_pos(X)); }
groupitem(A) ::= LP(P) RP.  { A = build_group_item(ctx, GROUP_EMPTY, NULL, NULL, P.pos); }
groupitem(A) ::= ROLLUP(R) LP rollitems(L) RP.  { A = build_group_item(ctx, GROUP_ROLLUP, NULL, L, R.pos); }
groupitem(A) ::= CUBE(C) LP rollitems(L) RP.    { A = build_group_item(ctx, GROUP_CUBE, NULL, L, C.pos); }
groupitem(A) ::= GROUPING(G) SETS LP groupitems(L) RP.  {
    A = build_group_item(ctx, GROUP_SETS, NULL, L, G.pos);
}
/* (a, b) inside GROUPING SETS: one set of several expressions ((a) is an expression). */
groupitem(A) ::= LP(P) exprlist2(L) RP.  { A = build_group_item(ctx, GROUP_LIST, NULL, L, P.pos); }

/* Elements of ROLLUP and CUBE: expressions, or (a, b) taken together. */
%type rollitems {AstList *}
rollitems(A) ::= rollitem(X).                    { A = list_new(ctx, X); }
rollitems(A) ::= rollitems(L) COMMA rollitem(X). { A = list_add(ctx, L, X); }

%type rollitem {AstGroupItem *}
rollitem(A) ::= expr(X).  { A = build_group_item(ctx, GROUP_EXPR, X, NULL, expr_start_pos(X)); }
rollitem(A) ::= LP(P) exprlist2(L) RP.  { A = build_group_item(ctx, GROUP_LIST, NULL, L, P.pos); }

/* Two or more expressions. */
%type exprlist2 {AstList *}
exprlist2(A) ::= expr(X) COMMA expr(Y).       { A = list_add(ctx, list_new(ctx, X), Y); }
exprlist2(A) ::= exprlist2(L) COMMA expr(X).  { A = list_add(ctx, L, X); }

%type having_opt {AstExpr *}
having_opt(A) ::= .               { A = NULL; }
having_opt(A) ::= HAVING expr(X). { A = X; }

/* WINDOW name AS (spec), …: named windows of a SELECT (OVER name, OVER (name …)). */
%type window_opt {AstList *}
window_opt(A) ::= .                      { A = NULL; }
window_opt(A) ::= WINDOW windefs(X).     { A = X; }

%type windefs {AstList *}
windefs(A) ::= windef(X).                   { A = list_new(ctx, X); }
windefs(A) ::= windefs(L) COMMA windef(X).  { A = list_add(ctx, L, X); }

%type windef {AstWindowDef *}
windef(A) ::= nm(N) AS LP window_spec(S) RP.  { A = build_window_def(ctx, N, S); }

/* A window: [existing name] [PARTITION BY …] [ORDER BY …] [frame]. Every alternative
   starts with its own token: a keyword that falls back to ID would otherwise be read as
   the window's name (Lemon tries the fallback when a state has no action of its own). */
%type window_spec {AstWindowSpec *}
window_spec(A) ::= .  {
    Token none = {-1, 0};
    A = build_window_spec(ctx, none, NULL, NULL, NULL);
}
window_spec(A) ::= nm(R) wpartition_opt(P) worder_opt(O) frame_opt(F).  {
    A = build_window_spec(ctx, R, P, O, F);
}
window_spec(A) ::= PARTITION BY exprlist(P) worder_opt(O) frame_opt(F).  {
    Token none = {-1, 0};
    A = build_window_spec(ctx, none, P, O, F);
}
window_spec(A) ::= ORDER BY sortlist(O) frame_opt(F).  {
    Token none = {-1, 0};
    A = build_window_spec(ctx, none, NULL, O, F);
}
window_spec(A) ::= frame(F).  {
    Token none = {-1, 0};
    A = build_window_spec(ctx, none, NULL, NULL, F);
}

%type wpartition_opt {AstList *}
wpartition_opt(A) ::= .                        { A = NULL; }
wpartition_opt(A) ::= PARTITION BY exprlist(X). { A = X; }

%type worder_opt {AstList *}
worder_opt(A) ::= .                       { A = NULL; }
worder_opt(A) ::= ORDER BY sortlist(X).   { A = X; }

%type frame_opt {AstWindowSpec *}
frame_opt(A) ::= .          { A = NULL; }
frame_opt(A) ::= frame(X).  { A = X; }

%type frame {AstWindowSpec *}
frame(A) ::= frame_unit(U) frame_bound(S) frame_exclude(X).  {
    A = build_window_frame(ctx, U, S, NULL, X);
}
frame(A) ::= frame_unit(U) BETWEEN frame_bound(S) AND frame_bound(E) frame_exclude(X).  {
    A = build_window_frame(ctx, U, S, E, X);
}

%type frame_unit {Token}
frame_unit(A) ::= ROWS(X).    { A = X; A.len = AST_FRAME_ROWS; }
frame_unit(A) ::= RANGE(X).   { A = X; A.len = AST_FRAME_RANGE; }
frame_unit(A) ::= GROUPS(X).  { A = X; A.len = AST_FRAME_GROUPS; }

%type frame_bound {AstFrameBound *}
frame_bound(A) ::= UNBOUNDED(U) PRECEDING.  { A = build_frame_bound(ctx, AST_BOUND_UNBOUNDED_PRECEDING, NULL, U.pos); }
frame_bound(A) ::= UNBOUNDED(U) FOLLOWING.  { A = build_frame_bound(ctx, AST_BOUND_UNBOUNDED_FOLLOWING, NULL, U.pos); }
frame_bound(A) ::= CURRENT(C) ROW.          { A = build_frame_bound(ctx, AST_BOUND_CURRENT_ROW, NULL, C.pos); }
frame_bound(A) ::= expr(X) PRECEDING.       { A = build_frame_bound(ctx, AST_BOUND_PRECEDING, X, -1); }
frame_bound(A) ::= expr(X) FOLLOWING.       { A = build_frame_bound(ctx, AST_BOUND_FOLLOWING, X, -1); }

/* Token.len carries the AstFrameExclude; pos where it was written (-1: none). */
%type frame_exclude {Token}
frame_exclude(A) ::= .                          { A.pos = -1; A.len = AST_EXCLUDE_NONE; }
frame_exclude(A) ::= EXCLUDE(X) NO OTHERS.      { A = X; A.len = AST_EXCLUDE_NONE; }
frame_exclude(A) ::= EXCLUDE(X) CURRENT ROW.    { A = X; A.len = AST_EXCLUDE_CURRENT_ROW; }
frame_exclude(A) ::= EXCLUDE(X) GROUP.          { A = X; A.len = AST_EXCLUDE_GROUP; }
frame_exclude(A) ::= EXCLUDE(X) TIES.           { A = X; A.len = AST_EXCLUDE_TIES; }

%type order_opt {OrderClause *}
order_opt(A) ::= .                        { A = NULL; }
order_opt(A) ::= ORDER(O) BY sortlist(X). { A = build_order_clause(ctx, X, O.pos); }

%type sortlist {AstList *}
sortlist(A) ::= sortitem(X).                    { A = list_new(ctx, X); }
sortlist(A) ::= sortlist(L) COMMA sortitem(X).  { A = list_add(ctx, L, X); }

%type sortitem {AstOrderItem *}
sortitem(A) ::= expr(E) sortdir(D) nulls_opt(N).  { A = build_order_item(ctx, E, D, N); }

%type sortdir {bool}
sortdir(A) ::= .      { A = false; }
sortdir(A) ::= ASC.   { A = false; }
sortdir(A) ::= DESC.  { A = true; }

%type nulls_opt {int}
nulls_opt(A) ::= .             { A = 0; }
nulls_opt(A) ::= NULLS FIRST.  { A = 1; }
nulls_opt(A) ::= NULLS LAST.   { A = 2; }

%type limit_opt {LimitClause *}
limit_opt(A) ::= .                                    { A = NULL; }
limit_opt(A) ::= limit_clause(X).                     { A = X; }
limit_opt(A) ::= offset_clause(X).                    { A = X; }
limit_opt(A) ::= limit_clause(X) offset_clause(Y).    { A = limit_merge(ctx, X, Y); }
limit_opt(A) ::= offset_clause(Y) limit_clause(X).    { A = limit_merge(ctx, X, Y); }

%type limit_clause {LimitClause *}
limit_clause(A) ::= LIMIT(L) expr(E).  { A = build_limit(ctx, E, true, L.pos); }
limit_clause(A) ::= LIMIT(L) ALL.      { A = build_limit(ctx, NULL, true, L.pos); }
limit_clause(A) ::= FETCH(L) first_next expr(E) row_rows ONLY.  {
    A = build_limit(ctx, E, true, L.pos);
}
limit_clause(A) ::= FETCH(L) first_next row_rows ONLY.  {
    A = build_limit(ctx, build_int_value(ctx, 1, L.pos), true, L.pos);
}

%type offset_clause {LimitClause *}
offset_clause(A) ::= OFFSET(O) expr(E).           { A = build_limit(ctx, E, false, O.pos); }
offset_clause(A) ::= OFFSET(O) expr(E) row_rows.  { A = build_limit(ctx, E, false, O.pos); }

first_next ::= FIRST.
first_next ::= NEXT.
row_rows ::= ROW.
row_rows ::= ROWS.

%type collist_opt {AstList *}
collist_opt(A) ::= .                  { A = NULL; }
collist_opt(A) ::= LP namelist(X) RP. { A = X; }

%type namelist {AstList *}
namelist(A) ::= nm(N).                   { A = list_ident(ctx, list_new(ctx, NULL), N); }
namelist(A) ::= namelist(L) COMMA nm(N). { A = list_ident(ctx, L, N); }

/* A name: an identifier, a "quoted identifier", or a non-reserved keyword. */
nm(A) ::= ID(X).  { A = X; }

/* ---- expressions ------------------------------------------------------------------ */

%type exprlist {AstList *}
exprlist(A) ::= expr(X).                    { A = list_new(ctx, X); }
exprlist(A) ::= exprlist(L) COMMA expr(X).  { A = list_add(ctx, L, X); }

%type expr {AstExpr *}
expr(A) ::= LP expr(X) RP.                        { A = X; }
expr(A) ::= LP(P) select(S) RP. [PAREN_LOW]       { A = build_subquery(ctx, S, P.pos); }
expr(A) ::= EXISTS(E) LP select(S) RP.            { A = build_exists(ctx, S, E.pos); }

expr(A) ::= INTEGER(X).  { A = build_integer(ctx, X); }
expr(A) ::= NUMBER(X).   { A = build_number(ctx, X); }
expr(A) ::= STRING(X).   { A = build_string(ctx, X); }
expr(A) ::= TRUE(X).     { A = build_bool(ctx, true, X.pos); }
expr(A) ::= FALSE(X).    { A = build_bool(ctx, false, X.pos); }
expr(A) ::= NULL(X).     { A = build_null(ctx, X.pos); }

expr(A) ::= nm(N).              { A = build_column(ctx, NULL, N); }
expr(A) ::= nm(Q) DOT nm(N).    { A = build_column(ctx, &Q, N); }

/* Typed literals: DATE '2024-01-02', TIMESTAMP WITH TIME ZONE '...'. */
expr(A) ::= nm(N) STRING(S).  { A = build_typed_literal(ctx, build_type(ctx, N), S); }
expr(A) ::= nm(N) WITH(W) TIME ZONE STRING(S).  {
    A = build_typed_literal(ctx, build_type_zone(ctx, build_type(ctx, N), true, W), S);
}
expr(A) ::= nm(N) WITHOUT(W) TIME ZONE STRING(S).  {
    A = build_typed_literal(ctx, build_type_zone(ctx, build_type(ctx, N), false, W), S);
}
expr(A) ::= INTERVAL(I) STRING(S) interval_unit(U).  { A = build_interval(ctx, S, U, I.pos); }

%type interval_unit {char *}
interval_unit(A) ::= .                           { A = NULL; }
interval_unit(A) ::= unit_kw(X).                 { A = build_unit(ctx, X, NULL); }
interval_unit(A) ::= unit_kw(X) TO unit_kw(Y).   { A = build_unit(ctx, X, &Y); }

unit_kw(A) ::= YEAR(X).    { A = X; }
unit_kw(A) ::= MONTH(X).   { A = X; }
unit_kw(A) ::= DAY(X).     { A = X; }
unit_kw(A) ::= HOUR(X).    { A = X; }
unit_kw(A) ::= MINUTE(X).  { A = X; }
unit_kw(A) ::= SECOND(X).  { A = X; }

/* SQL's functions without parentheses (reserved words, as in PostgreSQL). */
expr(A) ::= CURRENT_DATE(X).       { A = build_function_named(ctx, "current_date", NULL, X.pos); }
expr(A) ::= CURRENT_TIME(X).       { A = build_function_named(ctx, "current_time", NULL, X.pos); }
expr(A) ::= LOCALTIME(X).          { A = build_function_named(ctx, "localtime", NULL, X.pos); }
/* x AT TIME ZONE z is timezone(z, x) */
expr(A) ::= expr(X) AT(O) TIME ZONE expr(Z).  {
    A = build_function_named(ctx, "timezone", list_add(ctx, list_new(ctx, Z), X), O.pos);
}
expr(A) ::= CURRENT_TIMESTAMP(X).  { A = build_function_named(ctx, "current_timestamp", NULL, X.pos); }
expr(A) ::= LOCALTIMESTAMP(X).     { A = build_function_named(ctx, "localtimestamp", NULL, X.pos); }

/* Function calls. LEFT and RIGHT are reserved but name functions too. */
/* Aggregates take ORDER BY after their arguments, WITHIN GROUP (ORDER BY …) after the
   call (ordered-set aggregates) and FILTER (WHERE …) last, as in PostgreSQL. */
%type func_call {AstExpr *}
func_call(A) ::= fcall(F) within_opt(W) filter_opt(X).  { A = build_function_suffix(ctx, F, W, X); }

%type fcall {AstExpr *}
fcall(A) ::= fname(N) LP RP.                         { A = build_function(ctx, N, NULL, false, false); }
fcall(A) ::= fname(N) LP STAR RP.                    { A = build_function(ctx, N, NULL, true, false); }
fcall(A) ::= fname(N) LP exprlist(L) aggorder_opt(O) RP.  {
    A = build_function_order(ctx, build_function(ctx, N, L, false, false), O);
}
fcall(A) ::= fname(N) LP exprlist(L) aggorder_opt(O) nulls_treatment(T) RP.  {
    A = build_null_treatment(ctx, build_function_order(ctx, build_function(ctx, N, L, false, false), O), T);
}
fcall(A) ::= fname(N) LP DISTINCT exprlist(L) aggorder_opt(O) RP.  {
    A = build_function_order(ctx, build_function(ctx, N, L, false, true), O);
}
fcall(A) ::= fname(N) LP ALL exprlist(L) aggorder_opt(O) RP.  {
    A = build_function_order(ctx, build_function(ctx, N, L, false, false), O);
}

%type aggorder_opt {AstList *}
aggorder_opt(A) ::= .                  { A = NULL; }
aggorder_opt(A) ::= ORDER BY sortlist(X).  { A = X; }

%type within_opt {AstList *}
within_opt(A) ::= .  { A = NULL; }
within_opt(A) ::= WITHIN GROUP LP ORDER BY sortlist(X) RP.  { A = X; }

%type filter_opt {AstExpr *}
filter_opt(A) ::= .  { A = NULL; }
filter_opt(A) ::= FILTER LP WHERE expr(X) RP.  { A = X; }

/* [PAREN_LOW]: f(g(x) IGNORE NULLS …) reads the null treatment as g's (the shift) */
expr(A) ::= func_call(A). [PAREN_LOW]
/* Window calls: f(…) OVER name, f(…) OVER ([name] [PARTITION BY …] [ORDER BY …] [frame]). */
expr(A) ::= func_call(F) OVER(O) nm(W).  {
    A = build_over(ctx, F, build_window_spec(ctx, W, NULL, NULL, NULL), true, O.pos);
}
expr(A) ::= func_call(F) OVER(O) LP window_spec(S) RP.  {
    A = build_over(ctx, F, S, false, O.pos);
}
/* The null treatment of lag, lead, first_value, last_value, nth_value (Trino, Oracle),
   after the call or inside it (DuckDB). The driver makes IGNORE_LA/RESPECT_LA. */
expr(A) ::= func_call(F) nulls_treatment(T) OVER(O) nm(W).  {
    A = build_over(ctx, build_null_treatment(ctx, F, T), build_window_spec(ctx, W, NULL, NULL, NULL), true, O.pos);
}
expr(A) ::= func_call(F) nulls_treatment(T) OVER(O) LP window_spec(S) RP.  {
    A = build_over(ctx, build_null_treatment(ctx, F, T), S, false, O.pos);
}

%type nulls_treatment {Token}
nulls_treatment(A) ::= IGNORE_LA(X) NULLS.   { A = X; A.len = AST_NULLS_IGNORE; }
nulls_treatment(A) ::= RESPECT_LA(X) NULLS.  { A = X; A.len = AST_NULLS_RESPECT; }

fname(A) ::= nm(X).     { A = X; }
fname(A) ::= LEFT(X).   { A = X; }
fname(A) ::= RIGHT(X).  { A = X; }

expr(A) ::= CAST(C) LP expr(E) AS typename(T) RP.  { A = build_cast(ctx, E, T, C.pos); }
expr(A) ::= TRY_CAST(C) LP expr(E) AS typename(T) RP.  { A = build_try_cast(ctx, E, T, C.pos); }
expr(A) ::= expr(E) DCOLON(D) typename(T).         { A = build_cast(ctx, E, T, D.pos); }
expr(A) ::= EXTRACT(X) LP nm(F) FROM expr(E) RP.   { A = build_extract(ctx, tok_ident(ctx, F), E, X.pos); }

/* SUBSTRING(x FROM a [FOR b]) is the function substring(x, a [, b]). */
expr(A) ::= SUBSTRING(S) LP expr(X) FROM expr(F) RP.  {
    A = build_function_named(ctx, "substring", list_add(ctx, list_new(ctx, X), F), S.pos);
}
expr(A) ::= SUBSTRING(S) LP expr(X) FROM expr(F) FOR expr(N) RP.  {
    A = build_function_named(ctx, "substring",
                             list_add(ctx, list_add(ctx, list_new(ctx, X), F), N), S.pos);
}
expr(A) ::= SUBSTRING(S) LP expr(X) FOR expr(N) RP.  {
    AstList *args = list_add(ctx, list_new(ctx, X), build_int_value(ctx, 1, S.pos));
    A = build_function_named(ctx, "substring", list_add(ctx, args, N), S.pos);
}
expr(A) ::= SUBSTRING(S) LP exprlist(L) RP.  { A = build_function_named(ctx, "substring", L, S.pos); }

/* POSITION(x IN s) is strpos(s, x); the driver turns its IN into POSITION_IN (parser.c). */
expr(A) ::= POSITION(P) LP expr(X) POSITION_IN expr(S) RP.  {
    A = build_function_named(ctx, "strpos", list_add(ctx, list_new(ctx, S), X), P.pos);
}
expr(A) ::= POSITION(P) LP exprlist(L) RP.  { A = build_function_named(ctx, "position", L, P.pos); }

/* TRIM([BOTH | LEADING | TRAILING] [characters] FROM s) is btrim, ltrim or rtrim of
   (s[, characters]); TRIM(s[, characters]) is btrim. */
expr(A) ::= TRIM(T) LP expr(C) FROM expr(S) RP.  {
    A = build_function_named(ctx, "btrim", list_add(ctx, list_new(ctx, S), C), T.pos);
}
expr(A) ::= TRIM(T) LP FROM expr(S) RP.  { A = build_function_named(ctx, "btrim", list_new(ctx, S), T.pos); }
expr(A) ::= TRIM(T) LP trim_side(W) expr(C) FROM expr(S) RP.  {
    A = build_function_named(ctx, W, list_add(ctx, list_new(ctx, S), C), T.pos);
}
expr(A) ::= TRIM(T) LP trim_side(W) FROM expr(S) RP.  {
    A = build_function_named(ctx, W, list_new(ctx, S), T.pos);
}
expr(A) ::= TRIM(T) LP trim_side(W) expr(S) RP.  {
    A = build_function_named(ctx, W, list_new(ctx, S), T.pos);
}
expr(A) ::= TRIM(T) LP exprlist(L) RP.  { A = build_function_named(ctx, "btrim", L, T.pos); }

%type trim_side {const char *}
trim_side(A) ::= BOTH.      { A = "btrim"; }
trim_side(A) ::= LEADING.   { A = "ltrim"; }
trim_side(A) ::= TRAILING.  { A = "rtrim"; }

expr(A) ::= CASE(C) case_operand(O) case_whens(W) case_else(E) END.  {
    A = build_case(ctx, O, W, E, C.pos);
}

%type case_operand {AstExpr *}
case_operand(A) ::= .         { A = NULL; }
case_operand(A) ::= expr(X).  { A = X; }

%type case_whens {AstList *}
case_whens(A) ::= WHEN expr(X) THEN expr(Y).  { A = list_new(ctx, build_when(ctx, X, Y)); }
case_whens(A) ::= case_whens(L) WHEN expr(X) THEN expr(Y).  {
    A = list_add(ctx, L, build_when(ctx, X, Y));
}

%type case_else {AstExpr *}
case_else(A) ::= .              { A = NULL; }
case_else(A) ::= ELSE expr(X).  { A = X; }

/* Operators. */
expr(A) ::= expr(X) OR(O) expr(Y).      { A = build_binary(ctx, OP_OR, X, Y, O.pos); }
expr(A) ::= expr(X) AND(O) expr(Y).     { A = build_binary(ctx, OP_AND, X, Y, O.pos); }
expr(A) ::= NOT(O) expr(X).             { A = build_unary(ctx, OP_NOT, X, O.pos); }
expr(A) ::= expr(X) IS(O) NULL.         { A = build_is_null(ctx, X, false, O.pos); }
expr(A) ::= expr(X) IS(O) NOT NULL.     { A = build_is_null(ctx, X, true, O.pos); }
expr(A) ::= expr(X) IS(O) DISTINCT FROM expr(Y). [IS]  {
    A = build_binary(ctx, OP_IS_DISTINCT, X, Y, O.pos);
}
expr(A) ::= expr(X) IS(O) NOT DISTINCT FROM expr(Y). [IS]  {
    A = build_binary(ctx, OP_IS_NOT_DISTINCT, X, Y, O.pos);
}
expr(A) ::= expr(X) EQ(O) expr(Y).      { A = build_binary(ctx, OP_EQ, X, Y, O.pos); }
expr(A) ::= expr(X) NE(O) expr(Y).      { A = build_binary(ctx, OP_NE, X, Y, O.pos); }
expr(A) ::= expr(X) LT(O) expr(Y).      { A = build_binary(ctx, OP_LT, X, Y, O.pos); }
expr(A) ::= expr(X) LE(O) expr(Y).      { A = build_binary(ctx, OP_LE, X, Y, O.pos); }
expr(A) ::= expr(X) GT(O) expr(Y).      { A = build_binary(ctx, OP_GT, X, Y, O.pos); }
expr(A) ::= expr(X) GE(O) expr(Y).      { A = build_binary(ctx, OP_GE, X, Y, O.pos); }
/* Quantified comparisons: x op ANY|SOME|ALL (subquery) (AST_QUANTIFIED), or (array)
   (AST_ANY_ALL). Token bool: ALL. */
%type quantifier {bool}
quantifier(A) ::= ANY.   { A = false; }
quantifier(A) ::= SOME.  { A = false; }
quantifier(A) ::= ALL.   { A = true; }
expr(A) ::= expr(X) EQ(O) quantifier(Q) LP select(S) RP. [EQ]  {
    A = build_quantified(ctx, X, OP_EQ, Q, S, NULL, O.pos);
}
expr(A) ::= expr(X) EQ(O) quantifier(Q) LP expr(Y) RP. [EQ]  {
    A = build_any_all(ctx, OP_EQ, Q, X, Y, O.pos);
}
expr(A) ::= expr(X) NE(O) quantifier(Q) LP select(S) RP. [NE]  {
    A = build_quantified(ctx, X, OP_NE, Q, S, NULL, O.pos);
}
expr(A) ::= expr(X) NE(O) quantifier(Q) LP expr(Y) RP. [NE]  {
    A = build_any_all(ctx, OP_NE, Q, X, Y, O.pos);
}
expr(A) ::= expr(X) LT(O) quantifier(Q) LP select(S) RP. [LT]  {
    A = build_quantified(ctx, X, OP_LT, Q, S, NULL, O.pos);
}
expr(A) ::= expr(X) LT(O) quantifier(Q) LP expr(Y) RP. [LT]  {
    A = build_any_all(ctx, OP_LT, Q, X, Y, O.pos);
}
expr(A) ::= expr(X) LE(O) quantifier(Q) LP select(S) RP. [LE]  {
    A = build_quantified(ctx, X, OP_LE, Q, S, NULL, O.pos);
}
expr(A) ::= expr(X) LE(O) quantifier(Q) LP expr(Y) RP. [LE]  {
    A = build_any_all(ctx, OP_LE, Q, X, Y, O.pos);
}
expr(A) ::= expr(X) GT(O) quantifier(Q) LP select(S) RP. [GT]  {
    A = build_quantified(ctx, X, OP_GT, Q, S, NULL, O.pos);
}
expr(A) ::= expr(X) GT(O) quantifier(Q) LP expr(Y) RP. [GT]  {
    A = build_any_all(ctx, OP_GT, Q, X, Y, O.pos);
}
expr(A) ::= expr(X) GE(O) quantifier(Q) LP select(S) RP. [GE]  {
    A = build_quantified(ctx, X, OP_GE, Q, S, NULL, O.pos);
}
expr(A) ::= expr(X) GE(O) quantifier(Q) LP expr(Y) RP. [GE]  {
    A = build_any_all(ctx, OP_GE, Q, X, Y, O.pos);
}
expr(A) ::= expr(X) CONCAT(O) expr(Y).  { A = build_binary(ctx, OP_CONCAT, X, Y, O.pos); }
expr(A) ::= expr(X) MATCH(O) expr(Y).        { A = build_binary(ctx, OP_MATCH, X, Y, O.pos); }
expr(A) ::= expr(X) NOT_MATCH(O) expr(Y).    { A = build_binary(ctx, OP_NOT_MATCH, X, Y, O.pos); }
expr(A) ::= expr(X) IMATCH(O) expr(Y).       { A = build_binary(ctx, OP_IMATCH, X, Y, O.pos); }
expr(A) ::= expr(X) NOT_IMATCH(O) expr(Y).   { A = build_binary(ctx, OP_NOT_IMATCH, X, Y, O.pos); }
expr(A) ::= expr(X) PLUS(O) expr(Y).    { A = build_binary(ctx, OP_ADD, X, Y, O.pos); }
expr(A) ::= expr(X) MINUS(O) expr(Y).   { A = build_binary(ctx, OP_SUB, X, Y, O.pos); }
expr(A) ::= expr(X) STAR(O) expr(Y).    { A = build_binary(ctx, OP_MUL, X, Y, O.pos); }
expr(A) ::= expr(X) SLASH(O) expr(Y).   { A = build_binary(ctx, OP_DIV, X, Y, O.pos); }
expr(A) ::= expr(X) REM(O) expr(Y).     { A = build_binary(ctx, OP_MOD, X, Y, O.pos); }
expr(A) ::= MINUS(O) expr(X). [UMINUS]  { A = build_unary(ctx, OP_NEG, X, O.pos); }
expr(A) ::= PLUS(O) expr(X). [UMINUS]   { A = build_unary(ctx, OP_PLUS, X, O.pos); }

expr(A) ::= expr(X) LIKE(O) expr(Y).    { A = build_like(ctx, X, Y, NULL, false, false, O.pos); }
expr(A) ::= expr(X) LIKE(O) expr(Y) ESCAPE expr(Z).  {
    A = build_like(ctx, X, Y, Z, false, false, O.pos);
}
expr(A) ::= expr(X) NOT_LA(O) LIKE expr(Y).  { A = build_like(ctx, X, Y, NULL, true, false, O.pos); }
expr(A) ::= expr(X) NOT_LA(O) LIKE expr(Y) ESCAPE expr(Z).  {
    A = build_like(ctx, X, Y, Z, true, false, O.pos);
}
expr(A) ::= expr(X) ILIKE(O) expr(Y).   { A = build_like(ctx, X, Y, NULL, false, true, O.pos); }
expr(A) ::= expr(X) ILIKE(O) expr(Y) ESCAPE expr(Z).  {
    A = build_like(ctx, X, Y, Z, false, true, O.pos);
}
expr(A) ::= expr(X) NOT_LA(O) ILIKE expr(Y).  { A = build_like(ctx, X, Y, NULL, true, true, O.pos); }
expr(A) ::= expr(X) NOT_LA(O) ILIKE expr(Y) ESCAPE expr(Z).  {
    A = build_like(ctx, X, Y, Z, true, true, O.pos);
}

expr(A) ::= expr(X) BETWEEN(O) expr(L) AND expr(H). [BETWEEN]  {
    A = build_between(ctx, X, L, H, false, O.pos);
}
expr(A) ::= expr(X) NOT_LA(O) BETWEEN expr(L) AND expr(H). [BETWEEN]  {
    A = build_between(ctx, X, L, H, true, O.pos);
}
expr(A) ::= expr(X) BETWEEN(O) ASYMMETRIC expr(L) AND expr(H). [BETWEEN]  {
    A = build_between(ctx, X, L, H, false, O.pos);
}
expr(A) ::= expr(X) NOT_LA(O) BETWEEN ASYMMETRIC expr(L) AND expr(H). [BETWEEN]  {
    A = build_between(ctx, X, L, H, true, O.pos);
}
/* BETWEEN SYMMETRIC is (x BETWEEN l AND h) OR (x BETWEEN h AND l), as PostgreSQL reads it;
   the operands' trees are shared by both halves (the binder only reads them). */
expr(A) ::= expr(X) BETWEEN(O) SYMMETRIC expr(L) AND expr(H). [BETWEEN]  {
    A = build_binary(ctx, OP_OR, build_between(ctx, X, L, H, false, O.pos),
                     build_between(ctx, X, H, L, false, O.pos), O.pos);
}
expr(A) ::= expr(X) NOT_LA(O) BETWEEN SYMMETRIC expr(L) AND expr(H). [BETWEEN]  {
    A = build_unary(ctx, OP_NOT,
                    build_binary(ctx, OP_OR, build_between(ctx, X, L, H, false, O.pos),
                                 build_between(ctx, X, H, L, false, O.pos), O.pos), O.pos);
}

/* Arrays: constructors, subscripts and slices, containment and overlap (op ANY/ALL (array)
   is with the quantified comparisons). */
expr(A) ::= ARRAY(K) LBRACKET exprlist(L) RBRACKET.  { A = build_array(ctx, L, NULL, K.pos); }
expr(A) ::= ARRAY(K) LBRACKET RBRACKET.              { A = build_array(ctx, NULL, NULL, K.pos); }
expr(A) ::= ARRAY(K) LP select(S) RP.                { A = build_array(ctx, NULL, S, K.pos); }
expr(A) ::= expr(X) LBRACKET(B) expr(I) RBRACKET.    { A = build_subscript(ctx, X, I, NULL, false, B.pos); }
expr(A) ::= expr(X) LBRACKET(B) expr(I) COLON expr(J) RBRACKET.  {
    A = build_subscript(ctx, X, I, J, true, B.pos);
}
expr(A) ::= expr(X) LBRACKET(B) COLON expr(J) RBRACKET.  { A = build_subscript(ctx, X, NULL, J, true, B.pos); }
expr(A) ::= expr(X) LBRACKET(B) expr(I) COLON RBRACKET.  { A = build_subscript(ctx, X, I, NULL, true, B.pos); }
expr(A) ::= expr(X) LBRACKET(B) COLON RBRACKET.          { A = build_subscript(ctx, X, NULL, NULL, true, B.pos); }
expr(A) ::= expr(X) CONTAINS(O) expr(Y).   { A = build_binary(ctx, OP_ARRAY_CONTAINS, X, Y, O.pos); }
expr(A) ::= expr(X) CONTAINED(O) expr(Y).  { A = build_binary(ctx, OP_ARRAY_CONTAINED, X, Y, O.pos); }
expr(A) ::= expr(X) OVERLAP(O) expr(Y).    { A = build_binary(ctx, OP_ARRAY_OVERLAP, X, Y, O.pos); }

expr(A) ::= expr(X) IN(O) LP exprlist(L) RP.         { A = build_in_list(ctx, X, L, false, O.pos); }
expr(A) ::= expr(X) IN(O) LP select(S) RP.           { A = build_in_select(ctx, X, S, false, O.pos); }
expr(A) ::= expr(X) NOT_LA(O) IN LP exprlist(L) RP.  { A = build_in_list(ctx, X, L, true, O.pos); }
expr(A) ::= expr(X) NOT_LA(O) IN LP select(S) RP.    { A = build_in_select(ctx, X, S, true, O.pos); }

/* ---- type names ------------------------------------------------------------------- */

%type typename {AstTypeName *}
typename(A) ::= typemod(X).                          { A = X; }
typename(A) ::= typemod(X) WITH(W) TIME ZONE.        { A = build_type_zone(ctx, X, true, W); }
typename(A) ::= typemod(X) WITHOUT(W) TIME ZONE.     { A = build_type_zone(ctx, X, false, W); }
/* Arrays: INTEGER[], INTEGER[3] (the size is not enforced, as in PostgreSQL), INTEGER ARRAY,
   Trino's ARRAY(INTEGER). */
typename(A) ::= typename(X) LBRACKET RBRACKET.              { A = build_type_array(ctx, X); }
typename(A) ::= typename(X) LBRACKET INTEGER RBRACKET.      { A = build_type_array(ctx, X); }
typename(A) ::= typename(X) ARRAY.                          { A = build_type_array(ctx, X); }
typename(A) ::= ARRAY LP typename(X) RP.                    { A = build_type_array(ctx, X); }

%type typemod {AstTypeName *}
typemod(A) ::= typebase(X).                                     { A = X; }
typemod(A) ::= typebase(X) LP INTEGER(P) RP.                    { A = build_type_param(ctx, X, P); }
typemod(A) ::= typebase(X) LP INTEGER(P) COMMA INTEGER(Q) RP.  {
    A = build_type_param(ctx, build_type_param(ctx, X, P), Q);
}

%type typebase {AstTypeName *}
typebase(A) ::= nm(N).               { A = build_type(ctx, N); }
typebase(A) ::= nm(N) PRECISION(P).  { A = build_type_2words(ctx, N, P); }
typebase(A) ::= nm(N) VARYING(V).    { A = build_type_2words(ctx, N, V); }
