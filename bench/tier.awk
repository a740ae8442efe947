# bench/tier.awk - the inputs of wz-tier's bench, with a fixed seed, in
# the shapes wz-roster and wz-match write (issue 6: "a 100,000-row roster
# and 1,000,000 violations"):
#
#   awk -v nroster=R -v nviol=N -v roster=FILE -v viol=FILE -f bench/tier.awk
#
# bench/run.sh calls it (make bench); it was the body of bench/tier.sh.
# bench/gen roster is not used for this: its 40 villages under four
# townships give every village a thousand leaders, where a county has a
# handful, so the output would be hundreds of rows per violation.  Here
# each county has 20 departments and 20 townships of 15 villages, each
# unit staffed as rules/posts.yaml describes (about 6,000 roles a county,
# 15% of them with a predecessor who has left), and a violation reaches
# six to nine people, as in the golden cases.  The roster depends on R
# alone; the violations on R and N.
# Our own generator (Park and Miller's minimal standard, exact in a
# double), not rand(): mawk, gawk and busybox awk each have their own,
# and the data must not depend on which awk is installed.
function rnd(n) {
	seed = (seed * 16807) % 2147483647
	return int(seed / 2147483647 * n)
}
function pick(a, n) { return a[rnd(n) + 1] }
# A unit name not yet used within scope k (village names repeat across
# townships, as they do in a real county).
function cname(k,   s) {
	do s = pick(syl, nsyl) pick(syl, nsyl); while ((k, s) in usedname)
	usedname[k, s] = 1
	return s
}
function person(   s) {
	return pick(sur, nsur) pick(giv, ngiv) pick(giv, ngiv)
}
# One role; with probability 0.15 a predecessor who left first.
function role(code, title, scope, rank, nm, from,   pid, y, prev) {
	if (rows >= nroster)
		return ""
	if (nm == "")
		nm = person()
	pid = sprintf("P%07d", ++npid)
	y = 2013 + rnd(5)
	if (rnd(100) < 15 && rows + 1 < nroster) {
		prev = person()
		printf "%s,P%07d,%s,%s,%s,%s,%d-%02d-01,%d-%02d-%02d,y,%s\n",
		    prev, ++npid, prev, code, title, scope, y - 4, 1 + rnd(12),
		    y + 1, 1 + rnd(12), 1 + rnd(28), rank > roster
		rows++
		y += 2
	}
	printf "%s,%s,%s,%s,%s,%s,%d-%02d-01,,%s,%s\n", nm, pid, nm, code,
	    title, scope, y, 1 + rnd(12), rnd(4) ? "y" : "n", rank > roster
	rows++
	lastname = nm
	return nm
}
BEGIN {
	seed = 20170227
	nsur = split("王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹", sur, " ")
	ngiv = split("建 国 军 华 明 志 强 文 德 海 玉 兰 红 梅 春 生 秀 英 丽 芳 伟 东 平 安 福 贵 荣 祥 成 斌 勇 杰 涛 鹏 宏 刚 峰 磊 亮 辉 霞 燕 娟 静 敏 婷 雪 琴 云 凤 桂 珍 金 银 宝 山 水 林 清 泉", giv, " ")
	nsyl = split("清 河 青 山 东 西 南 北 柳 杏 石 高 马 李 王 新 上 下 大 小 平 安 永 宁 和 兴 长 乐 太 白 红 黄 金 龙 凤 朝 阳 双 峰 岔", syl, " ")
	ndept = split("农业农村局 乡村振兴局 财政局 水务局 教育局 卫生健康局 人社局 民政局 住建局 交通运输局 自然资源局 林业和草原局 发展和改革局 审计局 统计局 医疗保障局 残联 妇联 团县委 供销社", dept, " ")
	print "姓名,person_id,name,role,title,scope,valid_from,valid_to,party_member,rank" > roster
	while (rows < nroster) {
		c = cname("") "县"
		cid = ++nc
		role("county_secretary", c "委书记", c, "县处级")
		role("county_head", c "县长", c, "县处级")
		for (k = 1; k <= 8; k++)
			lead[k] = role("county_leader", "副县长", c, "县处级")
		role("county_lead_poverty", "分管扶贫工作的副县长", c, "县处级", lead[1])
		role("county_lead_poverty", "县委分管扶贫工作的副书记", c, "县处级", lead[2])
		for (k = 1; k <= 6; k++)
			role("county_lgroup", "县脱贫攻坚领导小组成员", c, "县处级", lead[k + 2])
		for (d = 1; d <= 20; d++) {
			u = c "/县" dept[d]
			h = role("dept_head", "县" dept[d] "局长", u, "乡科级")
			if (d <= 12)
				role("county_lgroup", "县脱贫攻坚领导小组成员", c, "乡科级", h)
			role("dept_deputy", "副局长", u, "乡科级")
			role("dept_deputy", "副局长", u, "乡科级")
			role("dept_section_head", "股长", u, "一般干部")
			role("dept_section_head", "股长", u, "一般干部")
			for (k = 1; k <= 4; k++)
				DS[cid, d, k] = role("dept_staff", "科员", u, "一般干部")
		}
		for (tt = 1; tt <= 20; tt++) {
			tn = cname(c) (rnd(3) ? "镇" : "乡")
			town = c "/" tn
			T[cid, tt] = tn
			role("town_secretary", tn "党委书记", town, "乡科级")
			role("town_head", tn "长", town, "乡科级")
			for (k = 1; k <= 5; k++)
				dep[k] = role("town_deputy", "副镇长", town, "乡科级")
			role("town_station_head", "扶贫站站长", town, "一般干部")
			role("town_station_staff", "扶贫站工作人员", town, "一般干部")
			role("town_station_staff", "扶贫站工作人员", town, "一般干部")
			role("county_link_township", "联系" tn "县级领导", town, "县处级", lead[1 + rnd(8)])
			for (v = 1; v <= 15; v++) {
				vn = cname(town) "村"
				vil = town "/" vn
				V[cid, tt, v] = vn
				nv = 0
				# Only villages whose roles were written are used.
				if ((nm = role("village_secretary", vn "党支部书记", vil, "村干部")) != "")
					VN[cid, tt, v, ++nv] = nm
				if ((nm = role("village_director", vn "村委会主任", vil, "村干部")) != "")
					VN[cid, tt, v, ++nv] = nm
				if ((nm = role("village_clerk", vn "文书", vil, "村干部")) != "")
					VN[cid, tt, v, ++nv] = nm
				if ((nm = role("village_accountant", vn "会计", vil, "村干部")) != "")
					VN[cid, tt, v, ++nv] = nm
				role("first_secretary", "驻" vn "第一书记", vil, "乡科级")
				role("team_member", "驻村工作队队员", vil, "一般干部")
				role("team_member", "驻村工作队队员", vil, "一般干部")
				role("pair_cadre", "帮扶责任人", vil, "一般干部")
				role("pair_cadre", "帮扶责任人", vil, "一般干部")
				role("pair_cadre", "帮扶责任人", vil, "一般干部")
				role("town_link_village", tn "包抓" vn "领导", vil, "乡科级", dep[1 + rnd(5)])
				if (v % 3 == 0)
					role("county_link_village", "包抓" vn "县级领导", vil, "县处级", lead[1 + rnd(8)])
				role("pair_head", "双联单位主要领导", vil, "乡科级")
				role("pair_deputy", "双联单位分管领导", vil, "乡科级")
				NV[cid, tt, v] = nv
			}
		}
		C[cid] = c
	}
	close(roster)

	# Violations, as wz-match writes them: a finding cites one to six
	# articles (wz-match on bench/gen findings gives three or four), so
	# its columns repeat on consecutive rows, one row per article.
	nva = split("tongwei2017:5.11|tongwei2017:5.1|tongwei2017:5.12|gansu2017:33.2|supervision:4|xiangxiang2018:2.16", va, "|")
	vt[1] = "不按规定实施项目、使用专项资金,甚至截留、挤占、挪用、骗取专项资金的;"
	vt[2] = "在精准识别、精准施策、动态管理过程中不认真履职、优亲厚友、弄虚作假、徇私舞弊,漏报、误报、瞒报,造成不良影响的;"
	vt[3] = "对群众反映的问题不调查、不核实、不解释、不答复,或弄虚作假、隐瞒真相,造成不良影响或媒体负面报道的;"
	vt[4] = "违反扶贫资金管理使用规定的。"
	vt[5] = "市级将对监督检查情况纳入对县(区)党委、政府年度工作考核。要严肃查处滞留、截留、挪用、挤占和套取扶贫款物等违纪违规行为,认真解决基层干部在扶贫移民项目建设和资金管理方面滥用职权、以权谋私、优亲厚友、虚报冒领、贪污侵占、行贿受贿等问题。"
	vt[6] = "对扶贫资金监管不严,存在贪污侵占、虚报冒领、挥霍浪费、截留挪用等问题。"
	nda = split("tongwei2017:4.8|gansu2017:25|gansu2017:33.2|fiscal2004:6.2|supervision:4.3|xiangxiang2018:2.16", da, "|")
	dt[1] = "不按规定使用专项资金,出现截留、挤占、挪用、滞留,私分专项扶贫资金和物资的;"
	dt[2] = "县级党委和政府对扶贫资金管理监督负首要责任,应当建立健全扶贫资金项目信息公开制度,落实县级报账制、县级项目库建设、扶贫资金监管体系建设、涉农项目资金监督管理等相关要求,加强审计监督,严肃查处挤占挪用、截留私分、虚报冒领、侵吞延压、挥霍浪费扶贫资金的问题。"
	dt[3] = vt[4]
	dt[4] = "截留、挪用财政资金。"
	dt[5] = "暂停拨付。对违规分配和使用项目资金,违反程序使用项目资金或者有违规违纪行为的,财政部门要暂停拨付项目资金。"
	dt[6] = vt[6]
	gt = "组织处理。县委每年对脱贫攻坚工作进行考核,对乡镇脱贫攻坚业绩考核结果为一般的,领导班子年度考核直接评定为一般班子,取消领导干部年度考核优秀指标,并在全县通报批评,对党政主要领导进行诫勉谈话。"
	print "编号,县,乡镇,村,单位,姓名,职务,问题描述,发生时间,年度,article,article_text,evidence,severity,values,group" > viol
	for (i = 1; nrows < nviol; i++) {
		cid = 1 + rnd(nc)
		for (;;) {
			tt = 1 + rnd(20)
			v = 1 + rnd(15)
			if (NV[cid, tt, v] > 0)
				break
			cid = 1 + rnd(nc)
		}
		y = 2017 + rnd(4)
		date = sprintf("%d-%02d-%02d", y, 1 + rnd(12), 1 + rnd(28))
		amt = 1000 + rnd(90000)
		k = rnd(100)
		ncit = 1 + rnd(6)
		if (k < 75) {
			nm = k < 70 ? VN[cid, tt, v, 1 + rnd(NV[cid, tt, v])] : person()
			first = 1 + rnd(nva)
			for (j = 0; j < ncit && nrows < nviol; j++) {
				a = 1 + (first + j - 1) % nva
				printf "F%07d,%s,%s,%s,,%s,村干部,\"%d年在%s,涉及资金%d元,群众反映强烈\",%s,,%s,\"%s\",挪用,serious,amount=%d,township\n",
				    i, C[cid], T[cid, tt], V[cid, tt, v], nm, y, V[cid, tt, v] "危房改造补助发放中优亲厚友、截留挪用", amt,
				    date, va[a], vt[a], amt > viol
				nrows++
			}
		} else if (k < 95) {
			d = 1 + rnd(20)
			nm = DS[cid, d, 1 + rnd(4)]
			first = 1 + rnd(nda)
			for (j = 0; j < ncit && nrows < nviol; j++) {
				a = 1 + (first + j - 1) % nda
				printf "F%07d,%s,,,县%s,%s,科员,\"%d年挪用产业扶贫资金%d元,用于单位办公楼维修\",%s,,%s,\"%s\",挪用,serious,amount=%d,county\n",
				    i, C[cid], dept[d], nm, y, amt, date, da[a], dt[a], amt > viol
				nrows++
			}
		} else {
			printf "F%07d,%s,,,%s,,,,,%d,tongwei2017:11.1,\"%s\",单位=%s; 考核等次=一般,,case=town_average,unknown\n",
			    i, C[cid], T[cid, tt], y, gt, T[cid, tt] > viol
			nrows++
		}
	}
	close(viol)
}
