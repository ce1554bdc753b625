//! Writes the shipped site's workbook session (班次), `content/sessions/dangyuan-liangri.xlsx`:
//! a two-day 班次 with a sheet 日程 (the timetable) and a sheet 名册 (the roster), as an
//! organiser would keep them in Excel. Day one's dates are real date cells, day two's are text
//! as typed (`2026年12月23日`); some rows give 时间 as start–end, others 时长.
//!
//! ```sh
//! cargo run --example make_session -- content/sessions/dangyuan-liangri.xlsx
//! ```

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

/// 日期 (empty: the row above's), 时间, 内容, 形式, 时长（分钟）, 主讲, 地点.
const TIMETABLE: [[&str; 7]; 16] = [
    [
        "d1",
        "08:30",
        "开班动员",
        "其他",
        "15",
        "组织部副部长",
        "第一报告厅",
    ],
    ["", "", "原文：会议概况（引言）", "", "20", "", ""],
    ["", "", "01-xuexi/yuanwen", "", "40", "", ""],
    [
        "",
        "",
        "解读：理论学习怎么学、学到什么程度",
        "",
        "30",
        "党校教研室",
        "",
    ],
    ["", "", "课间休息", "休息", "10", "", ""],
    ["", "", "原文：推动党支部组织力提升", "原文", "40", "", ""],
    [
        "",
        "",
        "研讨：咱们支部的组织力强不强",
        "研讨",
        "40",
        "",
        "各研讨室",
    ],
    [
        "",
        "14:30-15:10",
        "原文：切实把加强党员教育管理监督的要求落到实处",
        "",
        "",
        "",
        "",
    ],
    [
        "",
        "15:10-15:40",
        "解读：党员队伍进得来、管得好、评得准",
        "",
        "",
        "",
        "",
    ],
    [
        "",
        "15:40-16:20",
        "实践：主题党日和“三会一课”自查清单",
        "",
        "",
        "",
        "各研讨室",
    ],
    [
        "2026年12月23日",
        "08:30",
        "原文：深入推进抓党建促脱贫攻坚",
        "",
        "40",
        "",
        "",
    ],
    ["", "", "02-tuopin/jiedu", "", "30", "", ""],
    ["", "", "原文：大力推动抓党建促乡村振兴", "", "40", "", ""],
    [
        "",
        "",
        "研讨：村党组织怎样领好乡村振兴",
        "",
        "50",
        "",
        "各研讨室",
    ],
    ["", "14:30", "结业测试", "其他", "30", "", ""],
    ["", "", "结业总结", "其他", "15", "组织部副部长", ""],
];

/// 姓名, 支部, 编号, 职务, 手机.
const ROSTER: [[&str; 5]; 12] = [
    ["王建国", "第一党支部", "D01", "书记", "13800000001"],
    ["李秀英", "第一党支部", "D02", "组织委员", "13800000002"],
    ["张伟", "第一党支部", "D03", "党员", "13800000003"],
    ["刘芳", "第一党支部", "D04", "党员", "13800000004"],
    ["陈明", "第二党支部", "D05", "书记", "13800000005"],
    ["杨丽", "第二党支部", "D06", "宣传委员", "13800000006"],
    ["赵强", "第二党支部", "D07", "党员", "13800000007"],
    ["黄敏", "第二党支部", "D08", "党员", "13800000008"],
    ["周涛", "第三党支部", "D09", "书记", "13800000009"],
    ["吴静", "第三党支部", "D10", "纪检委员", "13800000010"],
    ["徐磊", "第三党支部", "D11", "党员", "13800000011"],
    ["孙燕", "第三党支部", "D12", "党员", "13800000012"],
];

fn main() -> Result<(), XlsxError> {
    let Some(out) = std::env::args().nth(1) else {
        eprintln!("usage: make_session OUT.xlsx");
        std::process::exit(2);
    };
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let ws = book.add_worksheet().set_name("日程")?;
    let header = [
        "日期",
        "时间",
        "内容",
        "形式",
        "时长（分钟）",
        "主讲",
        "地点",
    ];
    ws.write_row_with_format(0, 0, header, &bold)?;
    for (i, row) in TIMETABLE.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, text) in row.iter().enumerate() {
            let c = c as u16;
            match (c, *text) {
                (_, "") => {}
                (0, "d1") => {
                    ws.write_datetime_with_format(
                        r,
                        0,
                        ExcelDateTime::from_ymd(2026, 12, 22)?,
                        &date,
                    )?;
                }
                (4, n) => {
                    ws.write_number(r, c, n.parse::<f64>().unwrap_or(0.0))?;
                }
                (_, t) => {
                    ws.write_string(r, c, t)?;
                }
            }
        }
    }
    ws.set_column_width(2, 48)?;
    let ws = book.add_worksheet().set_name("名册")?;
    ws.write_row_with_format(0, 0, ["姓名", "支部", "编号", "职务", "手机"], &bold)?;
    for (i, row) in ROSTER.iter().enumerate() {
        ws.write_row(i as u32 + 1, 0, *row)?;
    }
    book.save(&out)?;
    Ok(())
}
