^XA
^CI28
^PW812
^LL406
^LH0,0
^FX Location label: code, barcode, and the check digits a picker types when the barcode is damaged
^FO40,30^A0N,90,90^FH^FD{{location:12}}^FS
^BY3,3,140
^FO40,140^BCN,140,N,N,N^FH^FD{{location:12}}^FS
^FO560,30^A0N,40,40^FDCHECK^FS
^FO560,80^A0N,110,110^FH^FD{{check_digits:3}}^FS
^FO40,310^A0N,30,30^FH^FD{{warehouse:16}}^FS
^XZ
