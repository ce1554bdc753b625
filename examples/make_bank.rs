//! Writes a question bank (题库) of N questions as an .xlsx file, for the "question banks"
//! benchmark (BENCHMARKS.md) and for trying banks by hand:
//!
//! ```sh
//! cargo run --release --example make_bank -- 5000 /tmp/site/content/01-xuexi/tiku.xlsx
//! ```
//!
//! The rows cycle through the four types (单选, 多选, 判断, 填空), each with an explanation.

use rust_xlsxwriter::Workbook;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(n), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: make_bank N OUT.xlsx");
        std::process::exit(2);
    };
    let n: usize = n.parse().expect("N is a number");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("题库").expect("sheet name");
    let header = [
        "题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析",
    ];
    ws.write_row(0, 0, header).expect("header");
    for i in 0..n {
        let no = i + 1;
        let row: Vec<String> = match i % 4 {
            0 => vec![
                "单选".into(),
                format!("第{no}题：每个班次至少要拿出多少时间原原本本学习？"),
                "四分之一".into(),
                "三分之一以上".into(),
                "二分之一".into(),
                "不作要求".into(),
                "B".into(),
            ],
            1 => vec![
                "多选".into(),
                format!("第{no}题：下列哪些属于“三会一课”？"),
                "支部党员大会".into(),
                "支部委员会".into(),
                "党小组会".into(),
                "茶话会".into(),
                "ABC".into(),
            ],
            2 => vec![
                "判断".into(),
                format!("第{no}题：第一书记应派到软弱涣散村和建档立卡贫困村。"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                "对".into(),
            ],
            _ => vec![
                "填空".into(),
                format!("第{no}题：县乡党委要持续整顿___党组织。"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                "软弱涣散".into(),
            ],
        };
        let mut row = row;
        row.push(format!(
            "第{no}题的解析：提纲原文要求“原原本本学习”，**重点**在于落实。"
        ));
        ws.write_row(no as u32, 0, row).expect("row");
    }
    book.save(&out).expect("write the workbook");
    eprintln!("wrote {n} questions to {out}");
}
