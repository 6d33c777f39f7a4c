-- The eight TPC-H tables with the column types of the specification (clause 1.4):
-- identifiers and integers as INTEGER, decimals as DECIMAL(15,2), CHAR(n) and VARCHAR(n)
-- as VARCHAR, dates as DATE.

create table region (
    r_regionkey integer,
    r_name varchar,
    r_comment varchar
);

create table nation (
    n_nationkey integer,
    n_name varchar,
    n_regionkey integer,
    n_comment varchar
);

create table part (
    p_partkey integer,
    p_name varchar,
    p_mfgr varchar,
    p_brand varchar,
    p_type varchar,
    p_size integer,
    p_container varchar,
    p_retailprice decimal(15,2),
    p_comment varchar
);

create table supplier (
    s_suppkey integer,
    s_name varchar,
    s_address varchar,
    s_nationkey integer,
    s_phone varchar,
    s_acctbal decimal(15,2),
    s_comment varchar
);

create table partsupp (
    ps_partkey integer,
    ps_suppkey integer,
    ps_availqty integer,
    ps_supplycost decimal(15,2),
    ps_comment varchar
);

create table customer (
    c_custkey integer,
    c_name varchar,
    c_address varchar,
    c_nationkey integer,
    c_phone varchar,
    c_acctbal decimal(15,2),
    c_mktsegment varchar,
    c_comment varchar
);

create table orders (
    o_orderkey integer,
    o_custkey integer,
    o_orderstatus varchar,
    o_totalprice decimal(15,2),
    o_orderdate date,
    o_orderpriority varchar,
    o_clerk varchar,
    o_shippriority integer,
    o_comment varchar
);

create table lineitem (
    l_orderkey integer,
    l_partkey integer,
    l_suppkey integer,
    l_linenumber integer,
    l_quantity decimal(15,2),
    l_extendedprice decimal(15,2),
    l_discount decimal(15,2),
    l_tax decimal(15,2),
    l_returnflag varchar,
    l_linestatus varchar,
    l_shipdate date,
    l_commitdate date,
    l_receiptdate date,
    l_shipinstruct varchar,
    l_shipmode varchar,
    l_comment varchar
);
