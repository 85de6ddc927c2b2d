// The lease on the periodic reports, which one replica at a time sends, here rather
// than in identity's database: a process without identity does this work.
crate::schema::migration!("m0003_leases", |manager| {
    crate::schema::create_leases(manager).await
});
