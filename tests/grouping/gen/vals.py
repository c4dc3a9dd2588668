import random, string
R = random.Random(16)
def ch(xs): return R.choice(xs)
NAMES = ["alice","bob","carol","dave","admin","root","test","oracle","postgres","ubuntu","git","deploy","jenkins","guest","user","support","pi","ftpuser","mysql","nagios","www","backup","operator","anna","marco","jsmith","kevin","sysadmin","tomcat","hadoop","ansible","student","default","webmaster","info","sales","monitor","zabbix","elastic","centos","debian","vagrant","steam","minecraft","teamspeak","dev","server","ftp","www-data","olivia","liam","noah","emma","lucas","sofia","u0827","u0832","test123","user1","admin2","oracle11","pi4","backup01"]
def user():
    r = R.random()
    if r < 0.15: return "root"
    if r < 0.25: return "admin"
    return ch(NAMES)
def luser(): return ch(["alice","bob","carol","dave","jsmith","anna","marco","kevin","olivia","liam","emma","sofia","deploy","ansible"])
def ip4():
    r = R.random()
    if r < 0.3: return "192.168.%d.%d" % (R.randint(0,5), R.randint(2,254))
    if r < 0.4: return "10.%d.%d.%d" % (R.randint(0,20), R.randint(0,255), R.randint(2,254))
    return "%d.%d.%d.%d" % (R.choice([5,23,31,45,61,77,89,103,112,117,122,139,141,159,164,170,178,185,193,195,203,212,218,221]), R.randint(0,255), R.randint(0,255), R.randint(1,254))
def ip6():
    return "2001:db8:%x:%x::%x" % (R.randint(0,0xffff), R.randint(0,0xffff), R.randint(1,0xffff))
def ip(): return ip6() if R.random() < 0.12 else ip4()
def port(): return str(R.randint(1024, 65535))
def pid(): return str(R.randint(300, 4194304 if R.random()<0.2 else 99999))
def uid(): return ch(["1000","1001","1002","1003","1004","1005","1017","1020","1100","2001","33","0","114","999"])
DOMAINS = ["example.com","example.net","example.org","corp.example.com","mail.example.de","mx.example.fr","gmail.com","outlook.com","yahoo.co.jp","web.de","gmx.net","hotmail.com","protonmail.ch","uni-example.edu"]
def domain(): return ch(DOMAINS)
def host():
    r = R.random()
    if r < 0.3: return "unknown"
    if r < 0.6: return ch(["mail","mx1","mx2","smtp","relay","mta-out","web","srv","mailout","mx"]) + ch(["",""+str(R.randint(1,40)),"-"+str(R.randint(1,9))]) + "." + domain()
    if r < 0.8: return ch(["mail-wr1-f%d.google.com","mail-%d.outbound.protection.outlook.com","static.%d.clients.your-server.de","host%d.hosting.example.net","ec2-%d.compute-1.amazonaws.com"]) % R.randint(1,250)
    return ch(["ns", "gw", "a", "b", "smtp", "mailhost", "out"]) + "." + domain()
def email(): return ch([luser(), user(), ch(["info","noreply","no-reply","newsletter","postmaster","MAILER-DAEMON","billing","support","j.doe","m.rossi","anna.schmidt"])]) + "@" + domain()
def dev(): return ch(["sda","sda","sdb","sdb","sdc","sdd","nvme0n1","nvme1n1","vda","sde","sdf","sdg"])
def part(): d = dev(); return d + ("p" if d.startswith("nvme") else "") + str(R.randint(1,4))
def md(): return ch(["md0","md0","md1","md2","md127","md126"])
def hexs(n): return "".join(R.choice("0123456789abcdef") for _ in range(n))
def hexu(n): return "".join(R.choice("0123456789ABCDEF") for _ in range(n))
def uuid(): return "%s-%s-%s-%s-%s" % (hexs(8),hexs(4),hexs(4),hexs(4),hexs(12))
def mac(): return ":".join(hexs(2) for _ in range(6))
def n(a,b): return str(R.randint(a,b))
def dur(): return "%.3f" % (R.random()*R.choice([0.01,1,10,100]))
def path():
    return ch(["/var/www/html","/srv/www/shop","/usr/share/nginx/html","/var/www/wordpress"]) + ch(["/favicon.ico","/robots.txt","/wp-login.php","/.env","/admin/config.php","/images/logo-%s.png" % n(1,99),"/apple-touch-icon.png","/.git/config","/sitemap.xml","/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php","/cgi-bin/luci","/static/js/app.%s.js" % hexs(8)])
def url(): return ch(["/","/index.php","/login","/api/v1/users/%s" % n(1,9999),"/wp-admin/","/search?q=%s" % ch(["foo","shoes","linux+kernel","a%20b"]),"/static/css/main.%s.css" % hexs(8),"/favicon.ico","/robots.txt","/.env","/api/orders/%s/status" % n(1000,99999),"/cart","/checkout","/health"])
def vhost(): return ch(["example.com","www.example.com","shop.example.net","api.example.org","localhost","_","cloud.example.de"])
def qid(): return hexu(R.choice([10,11,12]))
def tty(): return "pts/" + n(0,12)
def ts(): return "%d.%04d" % (R.randint(1700000000,1720000000), R.randint(0,9999))
def iface(): return ch(["eth0","eth0","eth1","ens3","ens18","eno1","enp3s0","enp0s31f6","wlp2s0","wlan0","br0"])
def comm(): return ch(["java","python3","node","postgres","mysqld","chrome","firefox","php-fpm8.2","qemu-system-x86","dockerd","containerd","Xorg","gnome-shell","kworker/u16:2","rsync","tar","gzip","apache2","nginx"])
def date(): return "%s %2d %02d:%02d:%02d" % (ch(["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"]), R.randint(1,28), R.randint(0,23), R.randint(0,59), R.randint(0,59))
