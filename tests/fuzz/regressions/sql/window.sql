select a, row_number() over (partition by b order by a) from t;
select sum(a) over (), lag(b) over (order by a) from t;
select v.m * 2, v.dt + 1, v.x / 0, cast(v.ts as date) from v;
select sum(d) from u;
select a * 2147483647 from t;
