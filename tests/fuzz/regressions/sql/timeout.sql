select count(*) from t as t1, t as t2, t as t3, t as t4, t as t5, u
