select t.a, t.b, u.d, w.f from t full join u on t.a = u.a and t.b < u.d left join w on w.a = u.a where coalesce(t.c, u.e) <> 'x';
select count(*), sum(u.d) from t, u, w where t.a = u.a and u.a = w.a;
select a, count(*) from t join u using (a) group by a order by a limit 3;
select * from t right join (select a, max(f) as m from w group by a) as s on t.a = s.a and t.b <> s.m;
