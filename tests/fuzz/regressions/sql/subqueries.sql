select t.a from t where t.a not in (select u.a from u) or exists (select * from w where w.a = t.a and w.f > t.b);
select t.a, (select count(*) from u where u.a = t.a), (select max(d) from u) from t;
select case when t.b in (select w.f from w) then 1 when not (t.b in (select w.f from w)) then 0 else 2 end from t;
select * from t where t.b = (select min(f) from w) and not exists (select 1 from u where u.a = t.a);
