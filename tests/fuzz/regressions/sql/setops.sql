with q as (select a, b from t where a > 2) select a from q union select a from u except select f from w;
select a, c from t intersect select a, e from u order by 1 nulls first, 2 limit 4;
select count(*), sum(x) from (select d as x from u union all select b from t) as s;
explain analyze select a from t union select a from w;
