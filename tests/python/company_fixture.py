"""A small hand-made company (four reps, four accounts, six opportunities) in the data
schema, for the loading, error-corpus and backtest tests. Its numbers are worked by hand
in test_company_data.py."""

from __future__ import annotations

from pathlib import Path

TABLES = {
    "reps": [
        "rep_id,role,segment,hire_date,exit_date,ote,base_share,quota",
        "ae1,ae,smb,2022-01-01,,100000,0.5,200000",
        "ae2,ae,smb,2024-07-01,,120000,0.5,",
        "csm1,csm,smb,2021-01-01,,80000,0.8,",
        "sdr1,sdr,,2023-01-01,2024-06-30,60000,0.6,",
    ],
    "accounts": [
        "account_id,segment,arr,start_date,csm_id,ae_id,products,health",
        "a1,smb,0,2023-03-01,csm1,ae1,core,0.4",
        "a2,smb,22000,2020-05-01,csm1,ae1,,",
        "a3,smb,30000,2024-02-15,csm1,ae1,core;addon,0.8",
        "a4,smb,15000,2024-09-10,,ae2,,",
    ],
    "arr_events": [
        "account_id,date,type,arr_before,arr_after",
        "a1,2023-03-01,new,0,10000",
        "a1,2024-03-01,churn,10000,0",
        "a2,2024-05-01,renewal,20000,20000",
        "a2,2024-08-01,expansion,20000,22000",
        "a3,2024-02-15,new,0,30000",
        "a4,2024-09-10,new,0,15000",
    ],
    "opportunities": [
        "opportunity_id,account_id,type,source,owner_id,sourced_by_id,created_date,close_date,won,amount",
        "o1,a1,new,sdr,ae1,sdr1,2022-12-01,2023-03-01,true,10000",
        "o2,a3,new,inbound,ae1,,2023-12-01,2024-02-15,true,30000",
        "o3,,new,inbound,ae1,,2024-03-01,2024-06-01,false,50000",
        "o4,a4,new,sdr,ae2,sdr1,2024-05-01,2024-09-10,true,15000",
        "o5,a2,expansion,csm,ae1,csm1,2024-06-01,2024-08-01,true,2000",
        "o6,,new,ae,ae2,,2024-11-01,,,40000",
    ],
}


def write_company(folder: Path, tables: dict[str, list[str]] | None = None) -> Path:
    """Write the hand-made company (or `tables`) as CSV files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in (tables or TABLES).items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
